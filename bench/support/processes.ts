// Lifeline and the provider sandbox as separate child processes, the way an operator runs them: `lifeline admin
// create` / `apikey create` / `start` on a data directory, `lifeline sandbox` beside it. Used by the outbound and
// failover benchmarks and by the crash test (test/crash.test.ts), which needs a process it can kill -9.
// Runs the built CLI (bin/lifeline.js → dist/): `npm run build` first.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const ROOT = join(import.meta.dirname, '..', '..');
/** The CLI to run; LIFELINE_BENCH_BIN points at another build (a profiling copy, an older version to compare). */
export const BIN = process.env.LIFELINE_BENCH_BIN ?? join(ROOT, 'bin', 'lifeline.js');

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

export interface Child {
  child: ChildProcess;
  pid: number;
  /** Resolves with the exit code (or the signal's name) once the process is gone. */
  exited: Promise<number | string>;
  /** The last lines the process wrote to stderr, for error messages. */
  stderrTail(): string;
  /** Sends `signal` and waits (bounded) for the process to be gone. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<void>;
}

function track(child: ChildProcess): Child {
  if (child.pid === undefined) throw new Error('the child process did not start');
  const tail: string[] = [];
  child.stderr?.on('data', (chunk: Buffer) => {
    tail.push(chunk.toString());
    if (tail.length > 40) tail.shift();
  });
  const exited = new Promise<number | string>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode ?? child.signalCode ?? -1);
    child.once('exit', (code, signal) => resolve(code ?? signal ?? -1));
  });
  return {
    child,
    pid: child.pid,
    exited,
    stderrTail: () => tail.join('').slice(-4000),
    async stop(signal = 'SIGTERM', timeoutMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      const gone = await Promise.race([exited.then(() => true), sleep(timeoutMs).then(() => false)]);
      if (!gone) {
        child.kill('SIGKILL');
        await Promise.race([exited, sleep(5000)]);
      }
    },
  };
}

/** `lifeline sandbox` in its own process; its HTTP API and /_sandbox control API answer on `url`. */
export async function startSandboxProcess(options: { env?: NodeJS.ProcessEnv } = {}): Promise<Child & { url: string; smtpPort: number }> {
  // LIFELINE_BENCH_SANDBOX_NODE_ARGS: node flags for the sandbox's process, e.g. --cpu-prof to see what it spends.
  const nodeArgs = process.env.LIFELINE_BENCH_SANDBOX_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...nodeArgs, BIN, 'sandbox', '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...options.env },
  });
  const tracked = track(child);
  const line = await new Promise<string>((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => reject(new Error(`lifeline sandbox did not start within 15 s: ${tracked.stderrTail()}`)), 15_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const found = buffer.split('\n').find((l) => l.includes('"url"'));
      if (found) {
        clearTimeout(timer);
        resolve(found);
      }
    });
    void tracked.exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`lifeline sandbox exited with ${code}: ${tracked.stderrTail()}`));
    });
  });
  const { url, smtpPort } = JSON.parse(line) as { url: string; smtpPort: number };
  return { ...tracked, url, smtpPort };
}

/** A fresh workspace through the CLI (`admin create`, `apikey create`); returns the admin API key. */
export async function prepareWorkspace(dataDir: string, env: NodeJS.ProcessEnv = {}): Promise<string> {
  const options = { env: { ...process.env, ...env } };
  await run(process.execPath, [BIN, 'admin', 'create', '--email', 'owner@example.com', '--password', 'bench-password', '--region', 'PE', '--data', dataDir], options);
  const { stdout } = await run(process.execPath, [BIN, 'apikey', 'create', '--name', 'bench', '--data', dataDir], options);
  const key = stdout.trim().split('\n').at(-1);
  if (!key) throw new Error('lifeline apikey create printed no key');
  return key;
}

export interface LifelineProcess extends Child {
  url: string;
  port: number;
}

/** `lifeline start` on `dataDir` and `port`, waited for until /healthz answers (bounded). */
export async function startLifeline(options: {
  dataDir: string;
  port: number;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  /** Flags for node itself, e.g. ['--cpu-prof'] (which NODE_OPTIONS does not accept). */
  nodeArgs?: string[];
}): Promise<LifelineProcess> {
  const url = `http://127.0.0.1:${options.port}`;
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), BIN, 'start', '--port', String(options.port), '--data', options.dataDir], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, LIFELINE_LOG_LEVEL: 'warn', LIFELINE_PUBLIC_URL: url, ...options.env },
  });
  const tracked = track(child);
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  let exited: number | string | undefined;
  void tracked.exited.then((code) => (exited = code));
  for (;;) {
    if (exited !== undefined) throw new Error(`lifeline start exited with ${exited}: ${tracked.stderrTail()}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await tracked.stop('SIGKILL');
      throw new Error(`lifeline start did not answer /healthz in time: ${tracked.stderrTail()}`);
    }
    await sleep(50);
  }
  return { ...tracked, url, port: options.port };
}

/** Peak (VmHWM) and current (VmRSS) resident memory of a process, in MB; null where /proc is unavailable. */
export function memoryOf(pid: number): { peakMb: number; rssMb: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
    return { peakMb: kb('VmHWM') / 1024, rssMb: kb('VmRSS') / 1024 };
  } catch {
    return null;
  }
}

/** CPU time (user + system) a process has used so far, in seconds; null where /proc is unavailable. */
export function cpuSecondsOf(pid: number): number | null {
  try {
    // Fields 14 and 15 of /proc/<pid>/stat, after the command name in parentheses (which may contain spaces).
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

/** Runs `task(i)` for i in [0, count) with at most `concurrency` in flight; rejects on the first failure. */
export async function forEachConcurrently(count: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      await task(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;
