// `lifeline demo` as a newcomer runs it: one process, one JSON line, a workspace alive with customers on every channel.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CHANNEL_KINDS } from '../src/channels/types.js';
import { freePort } from './support/live-server.js';

const BIN = join(import.meta.dirname, '..', 'bin', 'lifeline.js');
let child: ChildProcess | undefined;

afterAll(() => {
  child?.kill('SIGKILL');
});

function firstJsonLine(process: ChildProcess, timeoutMs: number): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => reject(new Error(`no JSON line within ${timeoutMs} ms; stdout so far: ${buffer}`)), timeoutMs);
    process.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const line = buffer.split('\n').find((l) => l.startsWith('{'));
      if (line) {
        clearTimeout(timer);
        resolve(JSON.parse(line) as Record<string, unknown>);
      }
    });
    process.on('exit', (code) => reject(new Error(`demo exited with ${code}`)));
  });
}

describe('lifeline demo', () => {
  it('prints its URLs, a working API key and login, with one channel of every kind and simulated customers', async () => {
    const port = await freePort();
    const sandboxPort = await freePort();
    const data = mkdtempSync(join(tmpdir(), 'lifeline-demo-'));
    child = spawn(process.execPath, [BIN, 'demo', '--port', String(port), '--sandbox-port', String(sandboxPort), '--data', data], { stdio: ['ignore', 'pipe', 'inherit'] });
    const ready = await firstJsonLine(child, 60_000);

    expect(Object.keys(ready).sort()).toEqual(['apiKey', 'login', 'sandboxUrl', 'url']);
    expect(ready.url).toBe(`http://127.0.0.1:${port}`);
    expect(ready.sandboxUrl).toBe(`http://127.0.0.1:${sandboxPort}`);
    const auth = { authorization: `Bearer ${ready.apiKey}` };

    const channels = (await (await fetch(`${ready.url}/api/v1/channels`, { headers: auth })).json()) as { items: { kind: string }[] };
    expect(channels.items.map((c) => c.kind).sort()).toEqual([...CHANNEL_KINDS].sort());

    const contacts = (await (await fetch(`${ready.url}/api/v1/contacts?limit=200`, { headers: auth })).json()) as { items: { identities: unknown[] }[] };
    expect(contacts.items.length).toBeGreaterThanOrEqual(40);
    expect(contacts.items.some((c) => c.identities.length >= 2)).toBe(true);

    const conversations = (await (await fetch(`${ready.url}/api/v1/conversations?limit=200`, { headers: auth })).json()) as { items: { channel: string }[] };
    expect(new Set(conversations.items.map((c) => c.channel)).size).toBeGreaterThanOrEqual(5);

    const login = ready.login as { email: string; password: string };
    const signIn = await fetch(`${ready.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(login) });
    expect(signIn.status).toBe(200);

    const exited = new Promise((resolve) => child!.on('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 120_000);
});
