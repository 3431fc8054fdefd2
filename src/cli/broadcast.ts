// `lifeline broadcast create|status|list|pause|resume|cancel`: the broadcast use cases run against the configured
// database, as the API runs them. The messages themselves are written and sent by a running `lifeline start`,
// which picks a new broadcast up from the database within a second. `status --follow` draws a progress bar on
// stderr until the broadcast is over; stdout keeps the result (the id alone on the last line for `create`).
import { type Command, Option } from 'commander';
import type { Config, ConfigFlags } from '../config.js';
import { LifelineError } from '../errors.js';
import type { BroadcastInput } from '../broadcasts/input.js';
import {
  type BroadcastProgress,
  broadcastProgress,
  cancelBroadcast,
  createBroadcastWith,
  listBroadcasts,
  pauseBroadcast,
  resumeBroadcast,
} from '../broadcasts/service.js';
import type { Store } from '../store/store.js';
import { type CliOutput, pickWorkspace } from './import.js';
import { openStore } from './open-store.js';
import { ProgressReporter } from './progress.js';

const processOutput: CliOutput = { stdout: process.stdout, stderr: process.stderr };
const ACTOR = 'cli';

export interface CreateFlags {
  name: string;
  text: string;
  tag?: string[];
  contact?: string[];
  all?: boolean;
  exclude?: string[];
  purpose?: string;
  at?: string;
  smsText?: string;
  emailSubject?: string;
  emailText?: string;
  whatsappTemplate?: string;
  workspace?: string;
}

/** The engine input from the command's flags; refuses what the flags cannot mean, with what to type instead. */
export function inputFromFlags(flags: CreateFlags): BroadcastInput {
  const variants: NonNullable<BroadcastInput['variants']> = {};
  if (flags.smsText) variants['twilio-sms'] = { text: flags.smsText };
  if (flags.emailSubject || flags.emailText) variants.email = { ...(flags.emailSubject ? { subject: flags.emailSubject } : {}), ...(flags.emailText ? { text: flags.emailText } : {}) };
  if (flags.whatsappTemplate) {
    const [name, language] = flags.whatsappTemplate.split(':');
    if (!name || !language) throw new LifelineError('invalid_template', 400, '--whatsapp-template must be NAME:LANGUAGE, e.g. --whatsapp-template we_moved:es.');
    variants.whatsapp = { template: { name, language } };
  }
  let notBefore: number | undefined;
  if (flags.at !== undefined) {
    notBefore = Date.parse(flags.at);
    if (Number.isNaN(notBefore)) throw new LifelineError('invalid_time', 400, '--at must be a date and time, e.g. --at 2025-06-01T09:00:00-05:00.');
  }
  if (flags.purpose !== undefined && flags.purpose !== 'marketing' && flags.purpose !== 'transactional') {
    throw new LifelineError('invalid_purpose', 400, '--purpose must be transactional or marketing.');
  }
  return {
    name: flags.name,
    text: flags.text,
    audience: { ...(flags.tag?.length ? { tags: flags.tag } : {}), ...(flags.contact?.length ? { contactIds: flags.contact } : {}), ...(flags.all ? { all: true } : {}) },
    ...(Object.keys(variants).length > 0 ? { variants } : {}),
    ...(flags.exclude?.length ? { excludeChannels: flags.exclude } : {}),
    ...(notBefore !== undefined ? { notBefore } : {}),
    ...(flags.purpose ? { purpose: flags.purpose as 'transactional' | 'marketing' } : {}),
  };
}

export async function broadcastCreateCommand(config: Config, flags: CreateFlags, output: CliOutput = processOutput): Promise<string> {
  const input = inputFromFlags(flags);
  return withStore(config, async (store) => {
    const workspace = await pickWorkspace(store, flags.workspace);
    const created = await createBroadcastWith(store, workspace.id, input, ACTOR, { rejectEmpty: true });
    const when = input.notBefore !== undefined && input.notBefore > Date.now() ? `from ${new Date(input.notBefore).toISOString()}` : 'now';
    output.stderr.write(`Broadcast "${flags.name}" created for ${created.total} ${created.total === 1 ? 'contact' : 'contacts'}; a running \`lifeline start\` sends it ${when}.\n`);
    output.stderr.write(`Follow it with: lifeline broadcast status ${created.id} --follow\n`);
    output.stdout.write(`${created.id}\n`);
    return created.id;
  });
}

export async function broadcastStatusCommand(
  config: Config,
  id: string,
  flags: { follow?: boolean; interval?: string; workspace?: string },
  output: CliOutput = processOutput,
): Promise<BroadcastProgress> {
  const intervalMs = flags.interval === undefined ? 1_000 : Number(flags.interval);
  if (!Number.isInteger(intervalMs) || intervalMs < 50 || intervalMs > 60_000) {
    throw new LifelineError('invalid_interval', 400, '--interval must be a number of milliseconds from 50 to 60000.');
  }
  return withStore(config, async (store) => {
    const workspace = await pickWorkspace(store, flags.workspace);
    let progress = await broadcastProgress(store, workspace.id, id);
    if (flags.follow) {
      const bar = new ProgressReporter(output.stderr, `broadcast "${progress.name}"`);
      try {
        for (;;) {
          bar.update(doneShare(progress), describe(progress));
          if (progress.status === 'completed' || progress.status === 'cancelled') break;
          await new Promise((resolve) => setTimeout(resolve, intervalMs));
          progress = await broadcastProgress(store, workspace.id, id);
        }
      } finally {
        bar.done();
      }
    }
    output.stdout.write(`${summaryOf(progress)}\n`);
    return progress;
  });
}

export async function broadcastListCommand(config: Config, flags: { workspace?: string }, output: CliOutput = processOutput): Promise<void> {
  await withStore(config, async (store) => {
    const workspace = await pickWorkspace(store, flags.workspace);
    const page = await listBroadcasts(store, workspace.id, { limit: 50 });
    if (page.items.length === 0) output.stdout.write('No broadcasts yet.\n');
    for (const b of page.items) output.stdout.write(`${b.id}  ${b.status.padEnd(9)}  ${describe(b).padEnd(48)}  ${b.name}\n`);
  });
}

export async function broadcastControlCommand(
  config: Config,
  verb: 'pause' | 'resume' | 'cancel',
  id: string,
  flags: { workspace?: string },
  output: CliOutput = processOutput,
): Promise<BroadcastProgress> {
  const action = { pause: pauseBroadcast, resume: resumeBroadcast, cancel: cancelBroadcast }[verb];
  return withStore(config, async (store) => {
    const workspace = await pickWorkspace(store, flags.workspace);
    const progress = await action(store, workspace.id, id, ACTOR);
    output.stdout.write(`${summaryOf(progress)}\n`);
    return progress;
  });
}

/** The share of recipients settled (sent, delivered or failed). */
export function doneShare(p: Pick<BroadcastProgress, 'total' | 'pending'>): number {
  return p.total === 0 ? 1 : (p.total - p.pending) / p.total;
}

function describe(p: BroadcastProgress): string {
  return `${p.sent + p.delivered}/${p.total} sent (${p.delivered} delivered), ${p.failed} failed, ${p.pending} pending`;
}

function summaryOf(p: BroadcastProgress): string {
  const lines = [`Broadcast "${p.name}" (${p.id}): ${p.status}; ${describe(p)}.`];
  for (const [kind, r] of Object.entries(p.byChannel)) lines.push(`  ${kind}: ${r.sent} sent, ${r.delivered} delivered, ${r.failed} failed`);
  for (const f of p.failures) lines.push(`  ${f.count} × ${f.explanation}`);
  return lines.join('\n');
}

async function withStore<T>(config: Config, work: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(config);
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

/** Adds `lifeline broadcast …` to the program (called from main.ts). */
export function registerBroadcastCommands(program: Command, configOf: (flags: ConfigFlags) => Config): void {
  const collect = (value: string, previous: string[]) => [...previous, value];
  const storeOptions = (command: Command) =>
    command
      .option('--workspace <id-or-slug>', 'the workspace (default: the first)')
      .addOption(new Option('--data <dir>', 'data directory (env LIFELINE_DATA_DIR, default ./data)'))
      .addOption(new Option('--database-url <url>', 'postgres://… or a SQLite file (env LIFELINE_DATABASE_URL)'));
  const broadcast = program.command('broadcast').description('Send one message to many customers, each on the channel that reaches them, and follow it');
  storeOptions(
    broadcast
      .command('create')
      .description('Create a broadcast; a running `lifeline start` sends it. Prints its id on the last line')
      .requiredOption('--name <name>', 'what the broadcast is, for you (customers never see it)')
      .requiredOption('--text <text>', 'the message')
      .option('--tag <tag>', 'send to contacts with this tag (repeat for several: any of them)', collect, [])
      .option('--contact <id>', 'send to this contact (repeat it)', collect, [])
      .option('--all', 'send to every contact')
      .option('--exclude <kind>', 'never use this channel kind, e.g. --exclude whatsapp (repeat it)', collect, [])
      .option('--purpose <purpose>', 'transactional (default) or marketing (only to addresses with consent granted)')
      .option('--at <time>', 'start at this time (ISO 8601), e.g. 2025-06-01T09:00:00-05:00')
      .option('--sms-text <text>', 'a shorter text for SMS')
      .option('--email-subject <subject>', 'the email subject')
      .option('--email-text <text>', 'a longer text for email')
      .option('--whatsapp-template <name:language>', 'an approved WhatsApp template, e.g. we_moved:es'),
  ).action(async (flags: CreateFlags & ConfigFlags) => {
    await broadcastCreateCommand(configOf(flags), flags);
  });
  storeOptions(
    broadcast
      .command('status')
      .description("A broadcast's progress; --follow draws a progress bar on stderr until it is over")
      .argument('<id>', 'the broadcast id')
      .option('--follow', 'keep watching until the broadcast is completed or cancelled')
      .option('--interval <ms>', 'how often to look while following (default 1000)'),
  ).action(async (id: string, flags: { follow?: boolean; interval?: string; workspace?: string } & ConfigFlags) => {
    await broadcastStatusCommand(configOf(flags), id, flags);
  });
  storeOptions(broadcast.command('list').description('The latest broadcasts with their progress')).action(async (flags: { workspace?: string } & ConfigFlags) => {
    await broadcastListCommand(configOf(flags), flags);
  });
  for (const verb of ['pause', 'resume', 'cancel'] as const) {
    const what = { pause: 'Pause a broadcast (queued messages are held)', resume: 'Resume a paused broadcast', cancel: 'Cancel a broadcast (messages not yet sent fail)' }[verb];
    storeOptions(broadcast.command(verb).description(what).argument('<id>', 'the broadcast id')).action(async (id: string, flags: { workspace?: string } & ConfigFlags) => {
      await broadcastControlCommand(configOf(flags), verb, id, flags);
    });
  }
}
