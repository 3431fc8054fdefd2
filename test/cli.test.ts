// The `lifeline` command as outside tools use it: a real child process over the built package.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '..', 'bin', 'lifeline.js');
const children: ChildProcess[] = [];

afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
});

function lifeline(args: string[], env: Record<string, string> = {}) {
  return run(process.execPath, [BIN, ...args], { env: { ...process.env, ...env } });
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitForHealth(url: string, timeoutMs = 15_000): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fetch(`${url}/healthz`);
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

describe('lifeline CLI', () => {
  const data = mkdtempSync(join(tmpdir(), 'lifeline-cli-'));

  it('creates the workspace owner, an API key, and serves the API with it', async () => {
    // Refused inputs leave nothing behind: the next try still creates the workspace, with its owner.
    for (const [flags, message] of [
      [['--password', 'short'], /at least 8 characters/],
      [['--password', 'sup3rsecret', '--region', 'XX'], /not a country code/],
    ] as const) {
      const refused = await lifeline(['admin', 'create', '--email', 'owner@shop.example', ...flags, '--data', data]).catch((error: { stderr: string }) => error);
      expect(refused.stderr).toMatch(message);
    }
    const admin = await lifeline(['admin', 'create', '--email', 'owner@shop.example', '--password', 'sup3rsecret', '--workspace', 'Bodega Marta', '--data', data]);
    expect(admin.stdout).toMatch(/Created workspace "Bodega Marta" .* owner owner@shop\.example/);

    const created = await lifeline(['apikey', 'create', '--name', 'shop', '--data', data]);
    const key = created.stdout.trimEnd().split('\n').at(-1)!;
    expect(key).toMatch(/^ll_[0-9a-f]{8}_[\w-]{32}$/);

    const port = await freePort();
    const child = spawn(process.execPath, [BIN, 'start', '--port', String(port), '--data', data], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let log = '';
    child.stdout!.on('data', (chunk) => (log += chunk));
    const url = `http://127.0.0.1:${port}`;
    const health = await waitForHealth(url);
    expect(await health.json()).toEqual({ status: 'ok' });

    const response = await fetch(`${url}/api/v1/contacts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Ana', phones: ['+51 987 654 321'], emails: ['ana@example.com'] }),
    });
    expect(response.status).toBe(201);
    expect((await response.json()).identities[0]).toMatchObject({ kind: 'phone', value: '+51987654321' });

    // No secrets in the log at info level.
    expect(log).not.toContain(key);

    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('stops on a bad setting with one clear line', async () => {
    const failure = await lifeline(['start', '--data', data], { LIFELINE_PORT: 'eighty' }).catch((e) => e);
    expect(failure.code).toBe(1);
    expect(failure.stderr.trim().split('\n')).toEqual(['lifeline: LIFELINE_PORT: expected a port number between 0 and 65535, got "eighty".']);
  });

  it('tells what to do when no workspace exists yet', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'lifeline-cli-'));
    const failure = await lifeline(['apikey', 'create', '--name', 'x', '--data', empty]).catch((e) => e);
    expect(failure.code).toBe(1);
    expect(failure.stderr).toContain('lifeline admin create');
  });

  it('migrates on demand and says so', async () => {
    const fresh = mkdtempSync(join(tmpdir(), 'lifeline-cli-'));
    const first = await lifeline(['migrate', '--data', fresh]);
    expect(first.stdout).toContain('0001_foundation');
    const again = await lifeline(['migrate', '--data', fresh]);
    expect(again.stdout).toContain('up to date');
  });

  it('has help on each command', async () => {
    for (const command of [['start'], ['migrate'], ['admin', 'create'], ['apikey', 'create']]) {
      const { stdout } = await lifeline([...command, '--help']);
      expect(stdout, command.join(' ')).toContain('--data');
    }
  });
});
