// `lifeline broadcast …` as a shop owner runs it against a data dir while `lifeline start` runs on the same database:
// create prints the id on its last line, status --follow shows progress on stderr until the broadcast is over, and
// mistakes come back as one line that says what to type instead.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { inputFromFlags } from '../../src/cli/broadcast.js';
import { run } from '../../src/cli/main.js';
import { loadConfig } from '../../src/config.js';
import { buildApp } from '../../src/server/app.js';
import { Store } from '../../src/store/store.js';

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** The CLI in this process, its output captured. */
async function lifeline(args: string[]): Promise<Ran> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  const before = process.exitCode;
  process.exitCode = undefined;
  try {
    await run(['node', 'lifeline', ...args]);
    return { code: Number(process.exitCode ?? 0), stdout, stderr };
  } finally {
    process.exitCode = before;
    out.mockRestore();
    err.mockRestore();
  }
}

describe('lifeline broadcast', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lifeline-broadcast-cli-'));
  let store: Store;
  let server: FastifyInstance;

  beforeAll(async () => {
    expect((await lifeline(['admin', 'create', '--email', 'owner@shop.example', '--password', 'password1', '--data', dir])).code).toBe(0);
    const config = loadConfig({ data: dir }, {});
    store = await Store.open(config.databaseUrl, { secretKey: config.secretKey });
    const workspace = (await store.workspaces.first())!;
    const contacts = store.forWorkspace(workspace.id, 'PE').contacts;
    for (let i = 0; i < 3; i++) await contacts.create({ name: `Customer ${i}`, phones: [`+5199000000${i}`], tags: ['regulars'] }, 'test');
    // "lifeline start" on the same database: its engine picks up what the CLI creates. It has no channel, so
    // every recipient ends skipped, with the reason.
    server = await buildApp({ store, config: { publicUrl: 'http://127.0.0.1:9', secretKey: config.secretKey }, health: { monitor: false }, broadcasts: { tickMs: 100, pollMs: 50 } });
    await server.ready();
    server.dispatcher.start();
  });
  afterAll(async () => {
    await server?.close();
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates a broadcast, follows it to the end with a progress bar, and shows why nobody was reached', async () => {
    const created = await lifeline(['broadcast', 'create', '--name', 'We moved', '--tag', 'regulars', '--text', 'We moved to Calle 5', '--exclude', 'whatsapp', '--data', dir]);
    expect(created.code, created.stderr).toBe(0);
    const id = created.stdout.trim().split('\n').at(-1)!;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.stderr).toContain('created for 3 contacts');

    const followed = await lifeline(['broadcast', 'status', id, '--follow', '--interval', '100', '--data', dir]);
    expect(followed.code, followed.stderr).toBe(0);
    expect(followed.stderr).toContain('broadcast "We moved": 100%');
    expect(followed.stdout).toContain(`Broadcast "We moved" (${id}): completed; 0/3 sent (0 delivered), 3 failed, 0 pending.`);
    expect(followed.stdout).toContain('3 × Not sent: no connected channel is left');

    const list = await lifeline(['broadcast', 'list', '--data', dir]);
    expect(list.stdout).toContain(id);

    const refused = await lifeline(['broadcast', 'pause', id, '--data', dir]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe('lifeline: The broadcast is completed. Only a scheduled or running broadcast can be paused.\n');
  });

  it('refuses a broadcast without an audience, or one that matches nobody, saying what to fix', async () => {
    const none = await lifeline(['broadcast', 'create', '--name', 'Nobody', '--text', 'Hi', '--data', dir]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('The audience names nobody: give tags, contactIds, or all: true.');
    const empty = await lifeline(['broadcast', 'create', '--name', 'Nobody', '--text', 'Hi', '--tag', `missing-${randomBytes(2).toString('hex')}`, '--data', dir]);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain('The audience matches no contact');
  });

  it('reads variants, the start time and the purpose from flags', () => {
    expect(
      inputFromFlags({
        name: 'N',
        text: 'T',
        tag: ['a'],
        smsText: 'short',
        emailSubject: 'Subject',
        whatsappTemplate: 'we_moved:es',
        at: '2030-01-01T09:00:00Z',
        purpose: 'marketing',
      }),
    ).toEqual({
      name: 'N',
      text: 'T',
      audience: { tags: ['a'] },
      variants: { 'twilio-sms': { text: 'short' }, email: { subject: 'Subject' }, whatsapp: { template: { name: 'we_moved', language: 'es' } } },
      notBefore: Date.parse('2030-01-01T09:00:00Z'),
      purpose: 'marketing',
    });
    expect(() => inputFromFlags({ name: 'N', text: 'T', whatsappTemplate: 'nolanguage' })).toThrow('--whatsapp-template must be NAME:LANGUAGE');
  });
});
