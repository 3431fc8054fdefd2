// The `lifeline` command. Each subcommand reads flags and LIFELINE_* env through loadConfig, so both work everywhere.
import { Command, Option } from 'commander';
import { ConfigError, type ConfigFlags, loadConfig, parsePort } from '../config.js';
import { LifelineError } from '../errors.js';
import { adminCreate } from './admin.js';
import { apiKeyCreate } from './apikey.js';
import { demo } from './demo.js';
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
    .option('--port <port>', 'HTTP port (default: any free port)', '0')
    .option('--smtp-port <port>', 'SMTP port (default: any free port)')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .action(async (options: { port: string; smtpPort?: string; host: string }) => {
      await sandbox({
        host: options.host,
        port: parsePort(options.port, '--port'),
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

  return program;
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
