// Outbound throughput: N text messages to the sandbox's Twilio SMS API (which answers at once), sent three ways in
// one run with the same client concurrency, each in its own process beside the sandbox (`lifeline sandbox`):
//   (a) Lifeline's durable path on SQLite: POST /api/v1/messages (route twilio-sms) to a `lifeline start` process,
//       which writes message + job, dispatches, and takes the receipts back by webhook; timed from the first POST
//       to the last message accepted by the sandbox (the sandbox's own timestamp);
//   (b) notifme-sdk with its `fallback` strategy over two SMS providers; they are `custom` providers making the
//       request notifme's Twilio provider makes, through notifme's own HTTP helper (its Twilio provider has a fixed
//       api.twilio.com URL). Also reported: the same with a keep-alive undici pool, notifme's logic alone;
//   (c) a raw undici POST loop (keep-alive pool) to the same endpoint.
// Prints one JSON line (msgs/s, the ratios, Lifeline's peak RSS, targets, and what each process spent in CPU per
// message, from which `ceiling` says the most any sender could reach on this machine's cores); progress on stderr.
// Flags: --messages N (100000), --concurrency C (50), --contacts K (1000), --only lifeline,notifme,raw,
//        --timeout-sec S (600, per phase), --cpu-prof DIR (write a V8 CPU profile of the Lifeline process there).
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import notifme, { type SmsRequest } from 'notifme-sdk';
import notifmeRequest from 'notifme-sdk/lib/util/request.js';
import { Pool } from 'undici';
import { connectSandboxChannels, createContacts, customerPhone } from './support/channels.js';
import { expectStatus, type JsonClient, jsonClient } from './support/http.js';
import { type Child, cpuSecondsOf, forEachConcurrently, freePort, memoryOf, prepareWorkspace, round, sleep, startLifeline, startSandboxProcess } from './support/processes.js';
import { setRateLimits } from './support/workspace-settings.js';
import { twilioForm, twilioHeaders, twilioMessagesPath } from './support/twilio-form.js';

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '100000' },
    concurrency: { type: 'string', default: '50' },
    contacts: { type: 'string', default: '1000' },
    only: { type: 'string', default: 'lifeline,notifme,raw' },
    'timeout-sec': { type: 'string', default: '600' },
    'cpu-prof': { type: 'string' },
  },
});
const MESSAGES = Number(values.messages);
const CONCURRENCY = Number(values.concurrency);
const CONTACTS = Math.min(Number(values.contacts), MESSAGES);
const PHASES = new Set(values.only.split(','));
const TIMEOUT_MS = Number(values['timeout-sec']) * 1000;
for (const [flag, n] of Object.entries({ messages: MESSAGES, concurrency: CONCURRENCY, contacts: CONTACTS, 'timeout-sec': TIMEOUT_MS })) {
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${flag} must be a positive integer`);
}

const log = (message: string) => process.stderr.write(`outbound: ${message}\n`);

interface SentItem {
  text: string;
  at: string;
}

interface PhaseResult {
  msgsPerSec: number;
  seconds: number;
  sent: number;
  errors: number;
  [extra: string]: unknown;
}

/** Every message the sandbox accepted on SMS since the last reset. */
async function sandboxSent(sandboxApi: JsonClient): Promise<SentItem[]> {
  return (await expectStatus(sandboxApi.call<{ items: SentItem[] }>('GET', '/_sandbox/sent?channel=twilio-sms'), 200, 'GET /_sandbox/sent')).items;
}

async function resetSandbox(sandboxApi: JsonClient): Promise<void> {
  await expectStatus(sandboxApi.call('POST', '/_sandbox/reset'), 200, 'resetting the sandbox');
  // Receipts as fast as the sandbox gives them: the providers "answer instantly".
  await expectStatus(sandboxApi.call('PUT', '/_sandbox/faults/twilio-sms', { mode: 'ok', receiptDelayMs: 1 }), 200, 'setting receipt delay');
}

function duplicatesIn(items: readonly SentItem[]): number {
  return items.length - new Set(items.map((i) => i.text)).size;
}

function progress(label: string, done: () => number): () => void {
  const started = performance.now();
  const timer = setInterval(() => log(`${label}: ${done()} / ${MESSAGES} after ${round((performance.now() - started) / 1000, 1)} s`), 5000);
  return () => clearInterval(timer);
}

/** CPU µs per message spent by the sandbox's process and this one (the client) between `start()` and `stop()`. */
function cpuMeter(sandboxPid: number): { stop(messages: number): { sandbox: number | null; client: number } } {
  const sandboxAtStart = cpuSecondsOf(sandboxPid);
  const clientAtStart = process.cpuUsage();
  return {
    stop(messages) {
      const sandboxAtEnd = cpuSecondsOf(sandboxPid);
      const client = process.cpuUsage(clientAtStart);
      const perMessage = (us: number) => round(us / Math.max(1, messages), 1);
      return {
        sandbox: sandboxAtStart === null || sandboxAtEnd === null ? null : perMessage((sandboxAtEnd - sandboxAtStart) * 1e6),
        client: perMessage(client.user + client.system),
      };
    },
  };
}

async function raw(sandbox: Child & { url: string }, sandboxApi: JsonClient): Promise<PhaseResult> {
  const sandboxUrl = sandbox.url;
  await resetSandbox(sandboxApi);
  const pool = new Pool(sandboxUrl, { connections: CONCURRENCY });
  let errors = 0;
  let done = 0;
  const stop = progress('raw', () => done);
  const meter = cpuMeter(sandbox.pid);
  const started = performance.now();
  let cpuUsPerMessage: ReturnType<ReturnType<typeof cpuMeter>['stop']>;
  try {
    await forEachConcurrently(MESSAGES, CONCURRENCY, async (i) => {
      const response = await pool.request({ method: 'POST', path: twilioMessagesPath, headers: twilioHeaders, body: twilioForm(customerPhone(i % CONTACTS), `raw ${i}`) });
      await response.body.dump();
      if (response.statusCode !== 201) errors++;
      done++;
    });
  } finally {
    cpuUsPerMessage = meter.stop(MESSAGES);
    stop();
    await pool.close();
  }
  const seconds = (performance.now() - started) / 1000;
  const sent = (await sandboxSent(sandboxApi)).length;
  return { msgsPerSec: round(MESSAGES / seconds), seconds: round(seconds), sent, errors, cpuUsPerMessage };
}

type Send = (request: SmsRequest) => Promise<string>;

/** notifme's Twilio provider's request, against the sandbox: form body, Basic auth, its User-Agent. */
function notifmeHttpSend(sandboxUrl: string): Send {
  return async (request) => {
    const response = await notifmeRequest.default(`${sandboxUrl}${twilioMessagesPath}`, {
      method: 'POST',
      headers: { ...twilioHeaders, 'User-Agent': 'notifme-sdk/v1 (+https://github.com/notifme/notifme-sdk)' },
      body: twilioForm(request.to, request.text, request.from),
    });
    const body = (await response.json()) as { sid?: string; message?: string };
    if (!response.ok || !body.sid) throw new Error(`${response.status} - ${body.message}`);
    return body.sid;
  };
}

function keepAliveSend(pool: Pool): Send {
  return async (request) => {
    const response = await pool.request({ method: 'POST', path: twilioMessagesPath, headers: twilioHeaders, body: twilioForm(request.to, request.text, request.from) });
    const body = (await response.body.json()) as { sid?: string; message?: string };
    if (response.statusCode !== 201 || !body.sid) throw new Error(`${response.statusCode} - ${body.message}`);
    return body.sid;
  };
}

async function notifmeRun(label: string, sandboxApi: JsonClient, send: Send): Promise<PhaseResult> {
  await resetSandbox(sandboxApi);
  const sdk = new notifme.default({
    channels: {
      sms: {
        multiProviderStrategy: 'fallback',
        providers: [
          { type: 'custom', id: 'sandbox-twilio-primary', send },
          { type: 'custom', id: 'sandbox-twilio-backup', send },
        ],
      },
    },
  });
  let errors = 0;
  let done = 0;
  const stop = progress(label, () => done);
  const started = performance.now();
  try {
    await forEachConcurrently(MESSAGES, CONCURRENCY, async (i) => {
      const result = await sdk.send({ sms: { from: '+15550002222', to: customerPhone(i % CONTACTS), text: `${label} ${i}` } });
      if (result.status !== 'success') errors++;
      done++;
    });
  } finally {
    stop();
  }
  const seconds = (performance.now() - started) / 1000;
  const sent = (await sandboxSent(sandboxApi)).length;
  return { msgsPerSec: round(MESSAGES / seconds), seconds: round(seconds), sent, errors };
}

async function lifeline(sandbox: Child & { url: string; smtpPort: number }, sandboxApi: JsonClient): Promise<PhaseResult> {
  await resetSandbox(sandboxApi);
  const dataDir = mkdtempSync(join(tmpdir(), 'lifeline-bench-outbound-'));
  let server: Child | undefined;
  let api: JsonClient | undefined;
  try {
    const key = await prepareWorkspace(dataDir);
    // The sandbox answers at once and never throttles: lift the provider's default pace (a Twilio long code's 1/s).
    await setRateLimits(dataDir, {}, { 'twilio-sms': null });
    const nodeArgs = [
      ...(values['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${values['cpu-prof']}`] : []),
      ...(process.env.LIFELINE_BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
    ];
    server = await startLifeline({ dataDir, port: await freePort(), nodeArgs });
    const { url, pid } = server as Child & { url: string };
    api = jsonClient(url, { headers: { authorization: `Bearer ${key}` }, connections: CONCURRENCY });
    await connectSandboxChannels(api, sandboxApi, sandbox, ['twilio-sms']);
    log(`lifeline: creating ${CONTACTS} contacts`);
    const contacts = await createContacts(api, CONTACTS, 20);

    let peakSampledMb = 0;
    const sampler = setInterval(() => {
      peakSampledMb = Math.max(peakSampledMb, memoryOf(pid)?.rssMb ?? 0);
    }, 250);
    const ids: string[] = new Array<string>(MESSAGES);
    let posted = 0;
    let failedPosts = 0;
    const stop = progress('lifeline (queued)', () => posted);
    const started = performance.now();
    const startedAt = Date.now();
    const cpuAtStart = cpuSecondsOf(pid);
    const meter = cpuMeter(sandbox.pid);
    let postedSeconds = 0;
    try {
      await forEachConcurrently(MESSAGES, CONCURRENCY, async (i) => {
        const answer = await api!.call<{ id: string; status: string }>('POST', '/api/v1/messages', {
          contactId: contacts[i % CONTACTS],
          text: `lifeline ${i}`,
          route: { channels: ['twilio-sms'] },
        });
        if (answer.status === 202) ids[i] = answer.body.id;
        else if (failedPosts++ === 0) log(`lifeline: POST /api/v1/messages answered ${answer.status}: ${JSON.stringify(answer.body).slice(0, 300)}`);
        posted++;
      });
      postedSeconds = (performance.now() - started) / 1000;
      stop();
      log(`lifeline: ${posted - failedPosts} queued in ${round(postedSeconds, 1)} s; waiting for the sandbox to accept them all`);

      // Cheap checks first (the last messages queued), then the sandbox's full log, so polling does not load the
      // two processes being measured.
      const deadline = Date.now() + TIMEOUT_MS;
      const tail = ids.slice(-5).filter(Boolean);
      for (;;) {
        // A server still working through a backlog may answer slowly: a timeout here is a "not yet", not a failure.
        const statuses = await Promise.all(
          tail.map(async (id) => (await api!.call<{ status: string }>('GET', `/api/v1/messages/${id}`).catch(() => ({ body: { status: 'queued' } }))).body.status),
        );
        if (statuses.every((s) => s !== 'queued' && s !== 'sending')) break;
        if (Date.now() > deadline) break;
        await sleep(1000);
      }
      // Before the sandbox's full log is fetched: serialising 100k items is not part of sending them.
      const others = meter.stop(MESSAGES);
      let items = await sandboxSent(sandboxApi);
      let lastCount = -1;
      while (items.length < MESSAGES - failedPosts && Date.now() < deadline) {
        if (items.length !== lastCount) log(`lifeline: sandbox has ${items.length} / ${MESSAGES - failedPosts}`);
        lastCount = items.length;
        await sleep(2000);
        items = await sandboxSent(sandboxApi);
      }
      const cpuAtEnd = cpuSecondsOf(pid);
      const lastAccepted = items.reduce((max, item) => Math.max(max, Date.parse(item.at)), startedAt);
      const seconds = (lastAccepted - startedAt) / 1000;
      const memory = memoryOf(pid);
      return {
        msgsPerSec: round(items.length / seconds),
        seconds: round(seconds),
        sent: items.length,
        errors: failedPosts,
        complete: items.length >= MESSAGES - failedPosts,
        duplicates: duplicatesIn(items),
        queuedPerSec: round(posted / postedSeconds),
        peakRssMb: round(Math.max(memory?.peakMb ?? 0, peakSampledMb), 1),
        // What the run cost Lifeline's process whatever else ran on the machine: CPU per message (all of it, receipts
        // included, until the sandbox had every message).
        cpuMsPerMessage: cpuAtStart === null || cpuAtEnd === null ? null : round(((cpuAtEnd - cpuAtStart) * 1000) / Math.max(1, items.length), 3),
        // The sandbox's share covers accepting each message and sending its receipts back; the client's, the POSTs.
        cpuUsPerMessage: others,
      };
    } finally {
      stop();
      clearInterval(sampler);
    }
  } finally {
    await api?.close();
    // A profile is written only on a clean exit, which may take a while after a heavy run.
    await server?.stop('SIGTERM', values['cpu-prof'] ? 120_000 : 10_000);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function phase(name: string, body: () => Promise<PhaseResult>): Promise<PhaseResult | { error: string }> {
  log(`${name}: ${MESSAGES} messages, concurrency ${CONCURRENCY}`);
  try {
    const result = await body();
    log(`${name}: ${JSON.stringify(result)}`);
    return result;
  } catch (error) {
    log(`${name} failed: ${(error as Error).stack ?? String(error)}`);
    return { error: (error as Error).message };
  }
}

type CpuShares = { sandbox: number | null; client: number };

/**
 * The most msgs/s any sender, Lifeline or another, could reach on this machine while doing the HTTP exchanges the
 * Lifeline run did for each message: the provider call plus the receipts the provider sent back. Each exchange is
 * priced at what the raw phase's bare one cost in CPU at both ends (the sandbox taking it, the client making it), and
 * the machine's cores are divided by the sum. `receivingFree` prices a receipt at its sending end only, as if
 * taking it in cost the sender nothing. Both leave out all else a sender does (the API call, storing, deciding).
 */
function machineCeiling(results: Record<string, PhaseResult | { error: string }>, receiptsPerMessage: number | null) {
  const raw = results.raw;
  if (!raw || !('cpuUsPerMessage' in raw) || receiptsPerMessage === null) return null;
  const bare = raw.cpuUsPerMessage as CpuShares;
  if (bare.sandbox === null) return null;
  const cores = availableParallelism();
  const rate = (name: string) => {
    const r = results[name];
    return r && 'msgsPerSec' in r ? r.msgsPerSec : Number.NaN;
  };
  const bound = (usPerMessage: number) => {
    const msgsPerSec = round((cores * 1e6) / usPerMessage);
    return { msgsPerSec, toRaw: round(msgsPerSec / rate('raw')), toNotifme: round(msgsPerSec / rate('notifme')) };
  };
  const exchangeUs = bare.sandbox + bare.client;
  return {
    cores,
    exchangeUs: round(exchangeUs, 1),
    exchangesPerMessage: round(1 + receiptsPerMessage, 2),
    ...bound(exchangeUs * (1 + receiptsPerMessage)),
    receivingFree: bound(exchangeUs + bare.client * receiptsPerMessage),
  };
}

/** Receipt webhooks the sandbox delivered on SMS since the last reset, per message sent. */
async function receiptsPerMessage(sandboxApi: JsonClient, messages: number): Promise<number> {
  const log = await expectStatus(sandboxApi.call<{ totals: { delivered: number } }>('GET', '/_sandbox/webhooks/log?channel=twilio-sms'), 200, 'GET /_sandbox/webhooks/log');
  return log.totals.delivered / messages;
}

async function main(): Promise<void> {
  const sandbox = await startSandboxProcess();
  const sandboxApi = jsonClient(sandbox.url, { timeoutMs: 120_000 });
  const results: Record<string, PhaseResult | { error: string }> = {};
  let receipts: number | null = null;
  try {
    if (PHASES.has('raw')) results.raw = await phase('raw', () => raw(sandbox, sandboxApi));
    if (PHASES.has('notifme')) {
      results.notifme = await phase('notifme', () => notifmeRun('notifme', sandboxApi, notifmeHttpSend(sandbox.url)));
      const pool = new Pool(sandbox.url, { connections: CONCURRENCY });
      results.notifmeKeepAlive = await phase('notifme (keep-alive)', () => notifmeRun('notifme-keepalive', sandboxApi, keepAliveSend(pool)));
      await pool.close();
    }
    if (PHASES.has('lifeline')) {
      results.lifeline = await phase('lifeline', () => lifeline(sandbox, sandboxApi));
      // Receipts still on their way after the last acceptance land within the sandbox's delay.
      await sleep(1000);
      receipts = 'sent' in results.lifeline ? await receiptsPerMessage(sandboxApi, results.lifeline.sent) : null;
    }
  } finally {
    await sandboxApi.close();
    await sandbox.stop('SIGTERM');
  }

  const rate = (name: string) => {
    const r = results[name];
    return r && 'msgsPerSec' in r ? r.msgsPerSec : Number.NaN;
  };
  const ratio = (a: string, b: string) => round(rate(a) / rate(b));
  const ratios = {
    lifelineToNotifme: ratio('lifeline', 'notifme'),
    lifelineToNotifmeKeepAlive: ratio('lifeline', 'notifmeKeepAlive'),
    lifelineToRaw: ratio('lifeline', 'raw'),
    notifmeToRaw: ratio('notifme', 'raw'),
  };
  const targets = { lifelineToNotifme: 1.5, lifelineToRaw: 0.6, peakRssMb: 250 };
  const ceiling = machineCeiling(results, receipts);
  const life = results.lifeline;
  const lifelineOk = life !== undefined && 'complete' in life && life.complete === true && life.duplicates === 0;
  const peakRssMb = life && 'peakRssMb' in life ? (life.peakRssMb as number) : Number.NaN;
  process.stdout.write(
    `${JSON.stringify({
      bench: 'outbound',
      messages: MESSAGES,
      concurrency: CONCURRENCY,
      contacts: CONTACTS,
      ...results,
      ratios,
      peakRssMb,
      targets,
      ceiling,
      pass: lifelineOk && ratios.lifelineToNotifme >= targets.lifelineToNotifme && ratios.lifelineToRaw >= targets.lifelineToRaw && peakRssMb < targets.peakRssMb,
    })}\n`,
  );
}

await main();
