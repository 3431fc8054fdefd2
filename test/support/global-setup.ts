// Once per test run: when no PostgreSQL URL is given but the server binaries are here, start a throwaway
// PostgreSQL on loopback for the run, so `npm test` alone covers both databases. CI gives its own URL.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function postgresBin(): string | null {
  const fromPath = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' }).stdout.trim();
  if (fromPath) return join(fromPath, '..');
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const version = readdirSync(root).sort().at(-1);
  return version && existsSync(join(root, version, 'bin', 'initdb')) ? join(root, version, 'bin') : null;
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export default async function setup(): Promise<(() => void) | undefined> {
  if (process.env.LIFELINE_TEST_DATABASE_URL) return undefined;
  const bin = postgresBin();
  if (!bin) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'lifeline-test-pg-'));
  chmodSync(dir, 0o755);
  // PostgreSQL refuses to run as root: run it as the postgres user when we are root.
  const asUser = (args: string[]) =>
    process.getuid?.() === 0 ? execFileSync('runuser', ['-u', 'postgres', '--', ...args], { stdio: 'pipe' }) : execFileSync(args[0]!, args.slice(1), { stdio: 'pipe' });
  try {
    if (process.getuid?.() === 0) execFileSync('chown', ['postgres:', dir]);
    const port = await freePort();
    asUser([join(bin, 'initdb'), '-D', join(dir, 'data'), '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8']);
    asUser([
      join(bin, 'pg_ctl'), '-D', join(dir, 'data'), '-l', join(dir, 'log'), '-w', '-o',
      `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c synchronous_commit=off -c max_connections=200`, 'start',
    ]);
    process.env.LIFELINE_TEST_DATABASE_URL = `postgres://postgres@127.0.0.1:${port}/postgres`;
    console.log(`A throwaway PostgreSQL for this test run listens on 127.0.0.1:${port}.`);
  } catch (error) {
    console.warn(`NOTICE: could not start a PostgreSQL for the tests (${(error as Error).message.split('\n')[0]}); PostgreSQL tests will be skipped.`);
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
  return () => {
    try {
      asUser([join(bin, 'pg_ctl'), '-D', join(dir, 'data'), '-m', 'fast', '-w', 'stop']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}
