// The `lifeline` command. Each subcommand reads flags and LIFELINE_* env through loadConfig, so both work everywhere.
import { Command, Option } from 'commander';
import { ConfigError, type ConfigFlags, loadConfig, parsePort } from '../config.js';
import { LifelineError } from '../errors.js';
import { adminCreate } from './admin.js';
import { registerBroadcastCommands } from './broadcast.js';
import { apiKeyCreate } from './apikey.js';
import { demo } from './demo.js';
import { drill } from './drill.js';
import { exportCommand } from './export.js';
import { importContactsCommand, importWorkspaceCommand } from './import.js';
import { migrate } from './migrate.js';
import { sandbox } from './sandbox.js';
import { start } from './start.js';

export const dataOption = () => new Option('--data <dir>', 'data directory (env LIFELINE_DATA_DIR, default ./data)');
const databaseOption = () => new Option('--database-url <url>', 'postgres://… or a SQLite file (env LIFELINE_DATABASE_URL)');

function configFrom(options: ConfigFlags) {
  return loadConfig(options);
}

export function buildCli(): Command {
  const program = new Command('lifeline')
    .description('Lifeline: own your customer list and reach every customer on every channel, whatever platform is down.')
    .showHelpAfterError();

  program
    .command('start')
    .description('Run the Lifeline server')
    .option('--host <host>', 'address to listen on (env LIFELINE_HOST, default 127.0.0.1)')
    .option('--port <port>', 'port to listen on (env LIFELINE_PORT, default 3000)')
    .option('--public-url <url>', 'URL providers call back (env LIFELINE_PUBLIC_URL)')
    .addOption(dataOption())
    .addOption(databaseOption())
    .action(async (options: ConfigFlags) => {
      await start(configFrom(options));
    });

  program
    .command('migrate')
    .description('Apply database migrations and exit')
    .addOption(dataOption())
    .addOption(databaseOption())
    .action(async (options: ConfigFlags) => {
      await migrate(configFrom(options));
    });

  program
    .command('demo')
    .description('Run Lifeline with the provider sandbox, one channel of every kind and simulated customers')
    .option('--port <port>', 'Lifeline port (default 3000)')
    .option('--sandbox-port <port>', 'sandbox port (default: any free port)')
    .option('--host <host>', 'address to listen on (default 127.0.0.1)')
    .addOption(dataOption())
    .addOption(databaseOption())
    .action(async (options: ConfigFlags & { sandboxPort?: string }) => {
      const sandboxPort = options.sandboxPort === undefined ? undefined : parsePort(options.sandboxPort, '--sandbox-port');
      // The demo's public URL is its own address: the sandbox calls it back there.
      await demo(configFrom({ ...options, publicUrl: undefined }), { sandboxPort });
    });

  program
    .command('sandbox')
    .description('Run the provider sandbox alone (simulated WhatsApp, Messenger, Instagram, Telegram, Viber, Twilio, SMTP)')
    .option('--port <port>', 'HTTP port (default: any free port)')
    .option('--smtp-port <port>', 'SMTP port (default: any free port)')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .action(async (options: { port?: string; smtpPort?: string; host: string }) => {
      await sandbox({
        host: options.host,
        port: options.port === undefined ? 0 : parsePort(options.port, '--port'),
        smtpPort: options.smtpPort === undefined ? undefined : parsePort(options.smtpPort, '--smtp-port'),
      });
    });

  const admin = program.command('admin').description('Manage staff accounts');
  admin
    .command('create')
    .description('Create a user; the first one creates the workspace and becomes its owner')
    .requiredOption('--email <email>', 'sign-in email')
    .requiredOption('--password <password>', 'password (at least 8 characters)')
    .option('--name <name>', 'display name')
    .option('--role <role>', 'owner, admin or agent (first user: owner)', 'admin')
    .option('--workspace <name>', 'name of the business, on first use', 'My business')
    .option('--region <code>', 'default phone region on first use, e.g. PE, US, ES')
    .addOption(dataOption())
    .addOption(databaseOption())
    .action(async (options: ConfigFlags & { email: string; password: string; name?: string; role: string; workspace: string; region?: string }) => {
      await adminCreate(configFrom(options), options);
    });

  const apikey = program.command('apikey').description('Manage API keys');
  apikey
    .command('create')
    .description('Create an API key; the key alone is printed on the last line')
    .requiredOption('--name <name>', 'what the key is for, e.g. "online shop"')
    .option('--role <role>', 'admin or agent', 'admin')
    .addOption(dataOption())
    .addOption(databaseOption())
    .action(async (options: ConfigFlags & { name: string; role: string }) => {
      await apiKeyCreate(configFrom(options), options);
    });

  registerTransferCommands(program);
  registerBroadcastCommands(program, configFrom);
  program
    .command('drill')
    .description('Continuity drill: a fresh Lifeline and sandbox, WhatsApp goes down, plan B is measured (JSON line last)')
    .option('--contacts <n>', 'customers to create', '10000')
    .option('--conversations <n>', 'open WhatsApp conversations', '500')
    .option('--timeout-sec <s>', 'how long to wait for everyone to be told', '180')
    .action(async (options: { contacts: string; conversations: string; timeoutSec: string }) => {
      const count = (value: string, flag: string) => {
        const n = Number(value);
        if (!Number.isInteger(n) || n < 1) throw new ConfigError(flag, `${flag} must be a whole number above 0, not "${value}".`);
        return n;
      };
      await drill({ contacts: count(options.contacts, '--contacts'), conversations: count(options.conversations, '--conversations'), timeoutSeconds: count(options.timeoutSec, '--timeout-sec') });
    });
  return program;
}

/** `lifeline import contacts|workspace` and `lifeline export` (src/cli/import.ts, src/cli/export.ts). */
function registerTransferCommands(program: Command): void {
  const collect = (value: string, previous: string[]) => [...previous, value];
  const imports = program.command('import').description('Import contacts (CSV, vCard) or a whole workspace export');
  imports
    .command('contacts')
    .description('Import contacts from a CSV or vCard file: progress on stderr, a summary on stdout (exit 2 when some rows had errors)')
    .argument('<file>', 'a .csv file (header row first) or a .vcf file')
    .option('--map <column=field>', 'put a column into a field, e.g. --map "Cel=phone" (repeat it; other columns are guessed)', collect, [])
    .option('--dry-run', 'check the file and show what would happen, without writing anything')
    .option('--preview <rows>', 'show this many rows as they would be imported (default 20 with --dry-run, at most 1000)')
    .option('--format <format>', 'csv or vcard (default: from the file)')
    .option('--workspace <id-or-slug>', 'the workspace to import into (default: the first)')
    .addOption(dataOption())
    .addOption(databaseOption())
    .action(async (file: string, options: ConfigFlags & { map: string[]; dryRun?: boolean; preview?: string; format?: string; workspace?: string }) => {
      await importContactsCommand(configFrom(options), file, options);
    });
  imports
    .command('workspace')
    .description('Restore a workspace export (lifeline export, GET /api/v1/exports/workspace) into this data dir or database')
    .argument('<file>', 'the export ZIP')
    .option('--data-dir <dir>', 'data directory to import into, usually a fresh one (same as --data)')
    .option('--owner-password <password>', "set the first owner's password, so they can sign in (exports carry no passwords)")
    .addOption(dataOption())
    .addOption(databaseOption())
    .action(async (file: string, options: ConfigFlags & { dataDir?: string; ownerPassword?: string }) => {
      await importWorkspaceCommand(configFrom({ ...options, data: options.data ?? options.dataDir }), file, options);
    });
  program
    .command('export')
    .description('Export the whole workspace as a ZIP of JSON Lines (contacts, conversations, messages, …), with progress on stderr')
    .option('--out <file>', 'where to write it (default: lifeline-<slug>-<date>.zip here)')
    .option('--workspace <id-or-slug>', 'the workspace to export (default: the first)')
    .addOption(dataOption())
    .addOption(databaseOption())
    .action(async (options: ConfigFlags & { out?: string; workspace?: string }) => {
      await exportCommand(configFrom(options), options);
    });
}

/** Runs the CLI; expected failures print one line (what is wrong, what to do) and exit 1, without a stack. */
export async function run(argv: string[]): Promise<void> {
  try {
    await buildCli().parseAsync(argv);
  } catch (error) {
    if (error instanceof ConfigError || error instanceof LifelineError) {
      process.stderr.write(`lifeline: ${error.message}\n`);
    } else {
      process.stderr.write(`lifeline: ${error instanceof Error ? error.message : String(error)}\n`);
      if (process.env.LIFELINE_DEBUG) console.error(error);
    }
    process.exitCode = 1;
  }
}
