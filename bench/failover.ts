// Failover when the primary channel goes hard down: messages with route whatsapp → twilio-sms flow at a steady
// rate into a `lifeline start` process (SQLite) beside `lifeline sandbox`; part-way through, the sandbox's WhatsApp
// goes down (connections reset, or 503). Measures how long and how many failed WhatsApp attempts it takes until
// the channel's circuit opens (the `channel.event` on /api/v1/live, attempts from GET /api/v1/messages/{id}), and
// the extra latency per message once it is open: time from POST to acceptance by the sandbox on SMS, compared with
// the time to acceptance on WhatsApp before the outage (each message's latency minus the baseline median).
// One JSON line on stdout; progress on stderr.
// Flags: --rate R msgs/s (20), --before-sec (5), --after-sec (10), --contacts K (500), --down reset|http (reset).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { connectSandboxChannels, createContacts, customerPhone } from './support/channels.js';
import { expectStatus, type JsonClient, jsonClient } from './support/http.js';
import { type Child, forEachConcurrently, freePort, percentile, prepareWorkspace, round, sleep, startLifeline, startSandboxProcess } from './support/processes.js';
import { setRateLimits } from './support/workspace-settings.js';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '20' },
    'before-sec': { type: 'string', default: '5' },
    'after-sec': { type: 'string', default: '10' },
    contacts: { type: 'string', default: '500' },
    down: { type: 'string', default: 'reset' },
  },
});
const RATE = Number(values.rate);
const BEFORE_MS = Number(values['before-sec']) * 1000;
const AFTER_MS = Number(values['after-sec']) * 1000;
const CONTACTS = Number(values.contacts);
const DOWN = values.down;
if (DOWN !== 'reset' && DOWN !== 'http') throw new Error('--down must be reset or http');
for (const [flag, n] of Object.entries({ rate: RATE, 'before-sec': BEFORE_MS, 'after-sec': AFTER_MS, contacts: CONTACTS })) {
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${flag} must be a positive number`);
}
const TARGETS = { failuresUntilOpen: 5, msUntilOpen: 2000, extraP99Ms: 50 };

const log = (message: string) => process.stderr.write(`failover: ${message}\n`);

interface Attempt {
  channel: string;
  result: string;
  errorCategory: string | null;
  at: string;
}
interface MessageView {
  id: string;
  status: string;
  attempts: Attempt[];
  skipped: { channel: string; reason: string }[];
}
interface SentItem {
  channel: string;
  text: string;
  at: string;
}
interface CircuitEvent {
  detail: string;
  at: number;
}

const summary = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return { count: sorted.length, p50: round(percentile(sorted, 50), 1), p99: round(percentile(sorted, 99), 1), max: round(sorted.at(-1) ?? Number.NaN, 1) };
};

async function listen(port: number, key: string, events: CircuitEvent[]): Promise<WebSocket> {
  const socket = new WebSocket(`ws://127.0.0.1:${port}/api/v1/live`, { headers: { authorization: `Bearer ${key}` } });
  await new Promise((resolve, reject) => {
    socket.once('message', resolve);
    socket.once('error', reject);
  });
  socket.on('message', (raw) => {
    const event = JSON.parse(raw.toString()) as { type: string; detail?: string; at?: number };
    if (event.type === 'channel.event' && event.detail?.includes('circuit')) events.push({ detail: event.detail, at: event.at ?? Date.now() });
  });
  return socket;
}

async function run(sandbox: Child & { url: string; smtpPort: number }, sandboxApi: JsonClient, dataDir: string) {
  const key = await prepareWorkspace(dataDir);
  // Pacing off: the extra latency measured is failover's, not a token bucket's.
  await setRateLimits(dataDir, {}, { whatsapp: null, 'twilio-sms': null });
  const server = await startLifeline({ dataDir, port: await freePort() });
  const api = jsonClient(server.url, { headers: { authorization: `Bearer ${key}` }, connections: 64 });
  let socket: WebSocket | undefined;
  try {
    const channels = await connectSandboxChannels(api, sandboxApi, sandbox, ['whatsapp', 'twilio-sms']);
    for (const channel of ['whatsapp', 'twilio-sms']) {
      await expectStatus(sandboxApi.call('PUT', `/_sandbox/faults/${channel}`, { mode: 'ok', receiptDelayMs: 1 }), 200, 'setting receipts');
    }
    log(`creating ${CONTACTS} contacts, each writing on WhatsApp first (opens the 24-hour window)`);
    const contacts = await createContacts(api, CONTACTS, 20);
    await forEachConcurrently(CONTACTS, 10, async (i) => {
      await expectStatus(sandboxApi.call('POST', '/_sandbox/customers/messages', { channel: 'whatsapp', from: customerPhone(i), text: `hola ${i}` }), 200, 'customer message');
    });
    const deadline = Date.now() + 60_000;
    let waiting = contacts;
    while (waiting.length > 0 && Date.now() < deadline) {
      const still: string[] = [];
      await forEachConcurrently(waiting.length, 20, async (k) => {
        const contact = await api.call<{ identities: { kind: string }[] }>('GET', `/api/v1/contacts/${waiting[k]}`);
        if (!contact.body.identities.some((identity) => identity.kind === 'whatsapp')) still.push(waiting[k]!);
      });
      waiting = still;
      if (waiting.length > 0) await sleep(250);
    }
    if (waiting.length > 0) throw new Error(`${waiting.length} contacts never got their WhatsApp identity`);

    const events: CircuitEvent[] = [];
    socket = await listen(server.port, key, events);

    // Open loop: message i is posted at start + i / RATE, whatever the server's answers take.
    const total = Math.round(((BEFORE_MS + AFTER_MS) / 1000) * RATE);
    const postedAt: number[] = new Array<number>(total);
    const ids: string[] = new Array<string>(total);
    let failedPosts = 0;
    let downAt = Number.NaN;
    const start = Date.now() + 100;
    const inFlight: Promise<void>[] = [];
    log(`sending ${total} messages at ${RATE}/s; WhatsApp goes down (${DOWN}) after ${BEFORE_MS / 1000} s`);
    const faultSet = (async () => {
      await sleep(start + BEFORE_MS - Date.now());
      downAt = Date.now();
      await expectStatus(sandboxApi.call('PUT', '/_sandbox/faults/whatsapp', { mode: 'down', connection: DOWN }), 200, 'taking WhatsApp down');
      log('WhatsApp is down');
    })();
    for (let i = 0; i < total; i++) {
      const wait = start + (i * 1000) / RATE - Date.now();
      if (wait > 0) await sleep(wait);
      postedAt[i] = Date.now();
      inFlight.push(
        (async () => {
          const answer = await api.call<{ id: string }>('POST', '/api/v1/messages', {
            contactId: contacts[i % CONTACTS],
            text: `failover ${i}`,
            route: { channels: ['whatsapp', 'twilio-sms'] },
          });
          if (answer.status === 202) ids[i] = answer.body.id;
          else if (failedPosts++ === 0) log(`POST answered ${answer.status}: ${JSON.stringify(answer.body).slice(0, 300)}`);
        })(),
      );
    }
    await faultSet;
    await Promise.all(inFlight);

    // Wait (bounded) until the sandbox has every message on one channel or the other.
    const posted = ids.filter(Boolean).length;
    let sent: SentItem[] = [];
    const settle = Date.now() + 60_000;
    for (;;) {
      sent = (await expectStatus(sandboxApi.call<{ items: SentItem[] }>('GET', '/_sandbox/sent'), 200, 'GET /_sandbox/sent')).items;
      const reached = new Set(sent.filter((s) => s.text.startsWith('failover ')).map((s) => s.text));
      if (reached.size >= posted || Date.now() > settle) break;
      await sleep(500);
    }
    const views: (MessageView | undefined)[] = new Array<MessageView | undefined>(total);
    await forEachConcurrently(total, 20, async (i) => {
      if (ids[i] === undefined) return;
      const answer = await api.call<MessageView>('GET', `/api/v1/messages/${ids[i]}`);
      if (answer.status === 200) views[i] = answer.body;
    });
    return { total, posted, failedPosts, postedAt, views, sent, events, downAt, channels };
  } finally {
    socket?.close();
    await api.close();
    await server.stop('SIGTERM');
  }
}

async function main(): Promise<void> {
  const sandbox = await startSandboxProcess();
  const sandboxApi = jsonClient(sandbox.url, { timeoutMs: 60_000 });
  const dataDir = mkdtempSync(join(tmpdir(), 'lifeline-bench-failover-'));
  try {
    const r = await run(sandbox, sandboxApi, dataDir);
    const acceptedAt = new Map<string, number>();
    const sentTwice: string[] = [];
    for (const item of r.sent) {
      const key = `${item.channel} ${item.text}`;
      if (acceptedAt.has(key)) sentTwice.push(key);
      acceptedAt.set(key, Date.parse(item.at));
    }
    const latencyOn = (channel: string, i: number) => {
      const at = acceptedAt.get(`${channel} failover ${i}`);
      return at === undefined ? undefined : at - r.postedAt[i]!;
    };

    // The circuit opens at the first "→ open" event; fall back to the first message that skipped WhatsApp for it.
    const openEvent = r.events.find((e) => /→ open/.test(e.detail) && e.at >= r.downAt);
    let openedAt = openEvent?.at;
    if (openedAt === undefined) {
      const firstSkip = r.views.findIndex((v, i) => r.postedAt[i]! >= r.downAt && v?.skipped.some((s) => s.channel === 'whatsapp' && s.reason === 'circuit_open'));
      if (firstSkip >= 0) openedAt = r.postedAt[firstSkip];
    }
    const whatsappFailures = r.views
      .flatMap((v) => v?.attempts ?? [])
      .filter((a) => a.channel === 'whatsapp' && (a.result === 'failed' || a.result === 'unknown') && Date.parse(a.at) >= r.downAt)
      .map((a) => Date.parse(a.at))
      .sort((a, b) => a - b);
    const failuresUntilOpen = openedAt === undefined ? whatsappFailures.length : whatsappFailures.filter((at) => at <= openedAt).length;
    const msUntilOpen = openedAt === undefined ? Number.NaN : openedAt - r.downAt;

    const baseline: number[] = [];
    const whileOpen: number[] = [];
    const transition: number[] = [];
    for (let i = 0; i < r.total; i++) {
      const posted = r.postedAt[i]!;
      if (posted < r.downAt) {
        const latency = latencyOn('whatsapp', i);
        if (latency !== undefined) baseline.push(latency);
        continue;
      }
      const latency = latencyOn('twilio-sms', i);
      if (latency === undefined) continue;
      if (openedAt !== undefined && posted >= openedAt) whileOpen.push(latency);
      else transition.push(latency);
    }
    const base = summary(baseline);
    const extra = summary(whileOpen.map((l) => l - base.p50));
    const lost = r.views.filter((v, i) => v !== undefined && !acceptedAt.has(`whatsapp failover ${i}`) && !acceptedAt.has(`twilio-sms failover ${i}`)).length;
    process.stdout.write(
      `${JSON.stringify({
        bench: 'failover',
        rate: RATE,
        down: DOWN,
        messages: r.total,
        failedPosts: r.failedPosts,
        circuit: {
          opened: openedAt !== undefined,
          msUntilOpen: round(msUntilOpen, 1),
          failuresUntilOpen,
          whatsappFailuresAfterDown: whatsappFailures.length,
          events: r.events.map((e) => ({ detail: e.detail, msAfterDown: e.at - r.downAt })),
        },
        latencyMs: { baselineWhatsapp: base, duringTransitionSms: summary(transition), whileOpenSms: summary(whileOpen) },
        extraLatencyMs: { p50: extra.p50, p99: extra.p99, max: extra.max, count: extra.count },
        notReachedAnyChannel: lost,
        sentTwiceOnOneChannel: sentTwice.length,
        targets: TARGETS,
        pass:
          openedAt !== undefined &&
          (failuresUntilOpen <= TARGETS.failuresUntilOpen || msUntilOpen <= TARGETS.msUntilOpen) &&
          extra.p99 < TARGETS.extraP99Ms &&
          lost === 0 &&
          sentTwice.length === 0,
      })}\n`,
    );
  } finally {
    await sandboxApi.close();
    await sandbox.stop('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
