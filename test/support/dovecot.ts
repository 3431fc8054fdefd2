// A real IMAP server for tests: Debian's dovecot (package dovecot-imapd), started unprivileged on a free
// loopback port with its whole state in a temp dir, one passwd-file user per mailbox, no TLS. When the tests run
// as root (CI) the server runs as `nobody`; otherwise as the current user. Stopped by killing its master.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './live-server.js';

export interface Dovecot {
  host: string;
  port: number;
  users: { user: string; pass: string }[];
  stop(): Promise<void>;
}

const DOVECOT_BINARIES = ['/usr/sbin/dovecot', '/usr/local/sbin/dovecot'];

export function dovecotBinary(): string | null {
  return DOVECOT_BINARIES.find((path) => existsSync(path)) ?? null;
}

interface Account {
  name: string;
  group: string;
  uid: number;
  gid: number;
}

/** The account the server runs as: a root test run hands it to `nobody`, dovecot refuses to log users in as root. */
function runAs(): Account {
  const uid = process.getuid?.() ?? 0;
  if (uid !== 0) {
    const id = (flag: string) => execFileSync('id', [flag], { encoding: 'utf8' }).trim();
    return { name: id('-un'), group: id('-gn'), uid, gid: Number(id('-g')) };
  }
  const id = (flag: string) => execFileSync('id', [flag, 'nobody'], { encoding: 'utf8' }).trim();
  return { name: 'nobody', group: id('-gn'), uid: Number(id('-u')), gid: Number(id('-g')) };
}

function config(dir: string, port: number, account: Account): string {
  return `
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
# Tests try wrong passwords on purpose: no delay after a failed login (and no penalty, see anvil).
auth_failure_delay = 0
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
info_log_path = ${dir}/dovecot.log
default_internal_user = ${account.name}
default_internal_group = ${account.group}
default_login_user = ${account.name}
first_valid_uid = ${account.uid}
last_valid_uid = ${account.uid}
first_valid_gid = ${account.gid}
last_valid_gid = ${account.gid}
mail_location = maildir:${dir}/mail/%u
passdb {
  driver = passwd-file
  args = ${dir}/users
}
userdb {
  driver = passwd-file
  args = ${dir}/users
}
service imap-login {
  chroot =
  user = ${account.name}
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
  # Unreachable penalty socket: the auth process then skips the per-IP delay after failed logins.
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
service auth {
  user = ${account.name}
}
service auth-worker {
  user = ${account.name}
}
`;
}

function chownTree(path: string, uid: number, gid: number): void {
  chownSync(path, uid, gid);
  if (!statSync(path).isDirectory()) return;
  for (const entry of readdirSync(path)) chownTree(join(path, entry), uid, gid);
}

/** Resolves once the server greets on the port, or rejects with its log when it exits or times out. */
async function waitForGreeting(port: number, child: ChildProcess, dir: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const log = () => (existsSync(join(dir, 'dovecot.log')) ? readFileSync(join(dir, 'dovecot.log'), 'utf8') : '(no log)');
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`dovecot exited with code ${child.exitCode}: ${log()}`);
    const greeted = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('data', (data) => {
        socket.destroy();
        resolve(data.toString().startsWith('* OK'));
      });
      socket.once('error', () => resolve(false));
    });
    if (greeted) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`dovecot did not greet on port ${port} within ${timeoutMs} ms: ${log()}`);
}

export async function startDovecot(
  users: { user: string; pass: string }[] = [{ user: 'alice@example.test', pass: 'secret' }],
  options: { port?: number } = {},
): Promise<Dovecot> {
  const binary = dovecotBinary();
  if (!binary) throw new Error('dovecot is not installed: apt-get install -y dovecot-imapd');
  const account = runAs();
  const dir = mkdtempSync(join(tmpdir(), 'lifeline-dovecot-'));
  const port = options.port ?? (await freePort());
  for (const sub of ['run', 'state', 'mail', 'home']) mkdirSync(join(dir, sub));
  const lines = users.map((u) => {
    const home = join(dir, 'home', u.user);
    mkdirSync(home);
    return `${u.user}:{PLAIN}${u.pass}:${account.uid}:${account.gid}::${home}::`;
  });
  writeFileSync(join(dir, 'users'), `${lines.join('\n')}\n`);
  writeFileSync(join(dir, 'dovecot.conf'), config(dir, port, account));
  chownTree(dir, account.uid, account.gid);
  // -F: stay in the foreground, so this child is the master process and killing it stops the server.
  const child = spawn(binary, ['-F', '-c', join(dir, 'dovecot.conf')], { uid: account.uid, gid: account.gid, cwd: dir, stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await waitForGreeting(port, child, dir);
  } catch (error) {
    child.kill('SIGKILL');
    await exited;
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    host: '127.0.0.1',
    port,
    users,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
