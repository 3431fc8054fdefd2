// The continuity drill: a fresh Lifeline (`lifeline start`) beside the provider sandbox (`lifeline sandbox`), each a
// child process; 10,000 customers (60 % prefer WhatsApp, the rest Telegram, SMS or email; some with a phone only),
// 500 open WhatsApp conversations, provider-like pacing; then at t0 WhatsApp goes down in the sandbox and the drill
// measures what plan B does by itself: how soon the incident opens, how soon every affected customer with another
// consented channel is told (their notice accepted by a provider, from the sandbox's sent log), who was never told,
// who was told twice, and how long the call list is. `lifeline drill` and bench/drill.ts both run this.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface DrillOptions {
  /** The CLI to run (bin/lifeline.js). */
  bin: string;
  contacts?: number;
  conversations?: number;
  /** How long to wait for everyone to be told after t0; default 180 s. */
  timeoutSeconds?: number;
  /** Incident threshold (workspace setting) for the drill; default 2 s. */
  openAfterSeconds?: number;
  log?: (line: string) => void;
}

export interface DrillResult {
  detectSeconds: number | null;
  notifySeconds: number | null;
  toldShare: number;
  callListSize: number;
  lost: number;
  duplicates: number;
  contacts: number;
  affected: number;
  withAlternative: number;
}

interface Child {
  child: ChildProcess;
  stop(): Promise<void>;
  tail(): string;
}

function track(child: ChildProcess): Child {
  const tail: string[] = [];
  child.stderr?.on('data', (chunk: Buffer) => {
    tail.push(chunk.toString());
    if (tail.length > 40) tail.shift();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    tail: () => tail.join('').slice(-3000),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      if (!(await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)]))) child.kill('SIGKILL');
    },
  };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

async function json<T>(url: string, method = 'GET', body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: T }> {
  const response = await fetch(url, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : null) as T };
}

async function expectOk<T>(what: string, call: Promise<{ status: number; body: T }>): Promise<T> {
  const { status, body } = await call;
  if (status < 200 || status >= 300) throw new Error(`${what} answered ${status}: ${JSON.stringify(body).slice(0, 500)}`);
  return body;
}

async function forEachConcurrently(count: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) await task(next++);
    }),
  );
}

/** One drill customer: what they prefer and where they can be reached. */
export interface DrillContact {
  name: string;
  preferred: string;
  whatsapp?: string;
  phone?: string;
  email?: string;
  telegram?: string;
}

/**
 * The customers: 60 % prefer WhatsApp (of them one in five has only their WhatsApp number: the call list), the rest
 * prefer Telegram, SMS or email. Pure, so the drill's expectations are computed from the same list.
 */
export function drillContacts(count: number): DrillContact[] {
  return Array.from({ length: count }, (_, i) => {
    const number = `+5198${String(i).padStart(7, '0')}`;
    const email = `customer${i}@drill.example`;
    const telegram = String(700_000_000 + i);
    const name = `Drill customer ${i}`;
    const slot = i % 10;
    if (slot < 6) {
      switch (i % 5) {
        case 0:
          return { name, preferred: 'whatsapp', whatsapp: number, phone: number };
        case 1:
          return { name, preferred: 'whatsapp', whatsapp: number, email };
        case 2:
          return { name, preferred: 'whatsapp', whatsapp: number, telegram };
        case 3:
          return { name, preferred: 'whatsapp', whatsapp: number, phone: number, email };
        default:
          return { name, preferred: 'whatsapp', whatsapp: number };
      }
    }
    if (slot < 8) return { name, preferred: 'telegram', telegram };
    if (slot < 9) return { name, preferred: 'twilio-sms', phone: number };
    return { name, preferred: 'email', email };
  });
}

/** Where a customer can be told other than WhatsApp (the sandbox's `to` for each channel). */
export function alternativeAddresses(contact: DrillContact): string[] {
  return [contact.phone, contact.email, contact.telegram].filter((a): a is string => a !== undefined);
}

const WA = { phoneNumberId: '100200399', accessToken: 'drill-whatsapp-token', appSecret: 'drill-app-secret', verifyToken: 'drill-verify' };
const TWILIO = { accountSid: `AC${'d1'.repeat(16)}`, authToken: 'drill-twilio-token', from: '+15550002299' };

export async function runDrill(options: DrillOptions): Promise<DrillResult> {
  const log = options.log ?? (() => {});
  const contactsCount = options.contacts ?? 10_000;
  const conversations = Math.min(options.conversations ?? 500, contactsCount);
  const timeoutMs = (options.timeoutSeconds ?? 180) * 1000;
  const dataDir = await mkdtemp(join(tmpdir(), 'lifeline-drill-'));
  const children: Child[] = [];
  const env = { ...process.env, LIFELINE_LOG_LEVEL: 'warn' };
  try {
    log('drill: starting the provider sandbox');
    const sandboxChild = spawn(process.execPath, [options.bin, 'sandbox', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'], env });
    const sandbox = track(sandboxChild);
    children.push(sandbox);
    const sandboxInfo = await new Promise<{ url: string; smtpPort: number }>((resolve, reject) => {
      let buffer = '';
      const timer = setTimeout(() => reject(new Error(`lifeline sandbox did not start within 20 s: ${sandbox.tail()}`)), 20_000);
      sandboxChild.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`lifeline sandbox exited with ${code}: ${sandbox.tail()}`));
      });
      sandboxChild.stdout!.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        const line = buffer.split('\n').find((l) => l.includes('"url"'));
        if (line) {
          clearTimeout(timer);
          resolve(JSON.parse(line) as { url: string; smtpPort: number });
        }
      });
    });

    log('drill: creating a fresh workspace');
    await run(process.execPath, [options.bin, 'admin', 'create', '--email', 'owner@drill.example', '--password', 'drill-password', '--region', 'PE', '--data', dataDir], { env });
    const { stdout } = await run(process.execPath, [options.bin, 'apikey', 'create', '--name', 'drill', '--data', dataDir], { env });
    const key = stdout.trim().split('\n').at(-1)!;
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    log('drill: starting lifeline');
    const lifeline = track(
      spawn(process.execPath, [options.bin, 'start', '--port', String(port), '--data', dataDir], {
        stdio: ['ignore', 'ignore', 'pipe'],
        // Health is checked and probed every second, as an operator who cares about detection would set it.
        env: { ...env, LIFELINE_PUBLIC_URL: url, LIFELINE_HEALTH_CHECK_SECONDS: '1', LIFELINE_HEALTH_PROBE_SECONDS: '1' },
      }),
    );
    children.push(lifeline);
    for (const deadline = Date.now() + 30_000; ; ) {
      if (lifeline.child.exitCode !== null) throw new Error(`lifeline start exited: ${lifeline.tail()}`);
      if (await fetch(`${url}/healthz`).then((r) => r.ok, () => false)) break;
      if (Date.now() > deadline) throw new Error(`lifeline start did not answer in 30 s: ${lifeline.tail()}`);
      await sleep(100);
    }
    const auth = { authorization: `Bearer ${key}` };
    const api = <T>(method: string, path: string, body?: unknown) => json<T>(`${url}${path}`, method, body, auth);
    const control = <T>(method: string, path: string, body?: unknown) => json<T>(`${sandboxInfo.url}${path}`, method, body);

    log('drill: connecting WhatsApp, Telegram, SMS and email to the sandbox');
    const channel = (kind: string, name: string, config: Record<string, unknown>) =>
      expectOk(`creating the ${kind} channel`, api<{ id: string; webhookUrl: string }>('POST', '/api/v1/channels', { kind, name, config: { ...config, apiBaseUrl: sandboxInfo.url } }));
    const wa = await channel('whatsapp', 'WhatsApp', WA);
    await expectOk('the WhatsApp console', control('PUT', '/_sandbox/accounts/whatsapp', { account: WA.phoneNumberId, webhookUrl: wa.webhookUrl, secret: WA.appSecret, accessToken: WA.accessToken }));
    const sms = await channel('twilio-sms', 'SMS', TWILIO);
    await expectOk('the Twilio console', control('PUT', '/_sandbox/accounts/twilio-sms', { account: TWILIO.accountSid, webhookUrl: sms.webhookUrl, secret: TWILIO.authToken, businessHandle: TWILIO.from }));
    await channel('telegram', 'Telegram', { botToken: '123456789:drill-telegram-token', webhookSecret: 'drill-telegram-secret' });
    await channel('email', 'Email', { from: 'shop@drill.example', fromName: 'Drill shop', smtp: { host: '127.0.0.1', port: sandboxInfo.smtpPort, secure: false } });
    // Provider-like pacing: SMS 100/s, email 50/s, Telegram 30/s.
    await expectOk(
      'the rate limits',
      api('PATCH', '/api/v1/workspace', { settings: { rateLimits: { 'twilio-sms': { ratePerSec: 100, burst: 100 }, email: { ratePerSec: 50, burst: 50 }, telegram: { ratePerSec: 30, burst: 30 } } } }),
    );
    const settings = await expectOk('the playbooks', api<Record<string, unknown>>('GET', '/api/v1/playbooks'));
    await expectOk('the playbooks', api('PUT', '/api/v1/playbooks', { ...settings, openAfterSeconds: options.openAfterSeconds ?? 2, closeAfterSeconds: 3600 }));

    log(`drill: creating ${contactsCount} customers`);
    const contacts = drillContacts(contactsCount);
    await forEachConcurrently(contacts.length, 16, async (i) => {
      const c = contacts[i]!;
      const identities = [...(c.whatsapp ? [{ kind: 'whatsapp', value: c.whatsapp }] : []), ...(c.telegram ? [{ kind: 'telegram', value: c.telegram }] : [])];
      await expectOk(
        `customer ${i}`,
        api('POST', '/api/v1/contacts', { name: c.name, preferredChannels: [c.preferred], ...(c.phone ? { phones: [c.phone] } : {}), ...(c.email ? { emails: [c.email] } : {}), identities }),
      );
      if (i > 0 && i % 1000 === 0) log(`drill: ${i} customers`);
    });

    log(`drill: ${conversations} customers write on WhatsApp`);
    const writers = contacts.filter((c) => c.whatsapp).slice(0, conversations);
    await forEachConcurrently(writers.length, 8, async (i) => {
      await expectOk('a customer message', control('POST', '/_sandbox/customers/messages', { channel: 'whatsapp', from: writers[i]!.whatsapp, text: `Hola, ¿dónde está mi pedido ${i}?` }));
    });
    for (const deadline = Date.now() + 60_000; ; ) {
      const open = await api<{ items: unknown[] }>('GET', `/api/v1/conversations?status=open&limit=100`);
      if (open.status === 200 && open.body.items.length >= Math.min(100, writers.length)) break;
      if (Date.now() > deadline) throw new Error('the customer messages did not become conversations within 60 s');
      await sleep(200);
    }
    await control('DELETE', '/_sandbox/sent');

    const affected = contacts.filter((c) => c.preferred === 'whatsapp');
    const withAlternative = affected.filter((c) => alternativeAddresses(c).length > 0);
    log(`drill: t0, WhatsApp goes down (${affected.length} affected, ${withAlternative.length} with another channel)`);
    const t0 = Date.now();
    await expectOk('the WhatsApp fault', control('PUT', '/_sandbox/faults/whatsapp', { mode: 'down' }));

    let incidentId: string | null = null;
    let detectSeconds: number | null = null;
    let notifySeconds: number | null = null;
    const toldCount = new Map<DrillContact, number>();
    const owner = new Map<string, DrillContact>();
    for (const c of withAlternative) for (const address of alternativeAddresses(c)) owner.set(address, c);
    const deadline = t0 + timeoutMs;
    let lastLog = 0;
    let lastRead = 0;
    let notifyDoneAt: number | null = null;
    const firstTold = new Map<DrillContact, number>();
    while (Date.now() < deadline) {
      if (!incidentId) {
        const open = await api<{ items: { id: string; channelId: string | null; openedAt: string }[] }>('GET', '/api/v1/incidents?status=open');
        const found = open.body.items.find((i) => i.channelId === wa.id);
        if (found) {
          incidentId = found.id;
          detectSeconds = (Date.parse(found.openedAt) - t0) / 1000;
          log(`drill: incident open after ${detectSeconds.toFixed(1)} s`);
        }
      }
      // The sent log grows to thousands of items: read it every few seconds, or at once when the incident's notify
      // broadcast says nothing is pending any more, so the drill does not load the sandbox it measures.
      let notifyDone = false;
      if (incidentId) {
        const view = await api<{ actions: { type: string; counts: Record<string, number> }[] }>('GET', `/api/v1/incidents/${incidentId}`);
        const notify = view.body.actions?.find((a) => a.type === 'notify');
        notifyDone = notify !== undefined && notify.counts.total !== undefined && notify.counts.pending === 0;
      }
      if ((notifyDone && notifyDoneAt === null) || Date.now() - lastRead >= 5_000) {
        lastRead = Date.now();
        toldCount.clear();
        firstTold.clear();
        const sent = await control<{ items: { channel: string; to: string; text: string; at: string }[] }>('GET', '/_sandbox/sent');
        for (const item of sent.body.items) {
          if (item.channel === 'whatsapp') continue;
          const c = owner.get(item.to);
          if (!c) continue;
          toldCount.set(c, (toldCount.get(c) ?? 0) + 1);
          const at = Date.parse(item.at);
          if (!firstTold.has(c) || at < firstTold.get(c)!) firstTold.set(c, at);
        }
      }
      if (notifyDone) notifyDoneAt ??= Date.now();
      if (toldCount.size >= withAlternative.length) {
        // When the provider accepted the last first notice (the sandbox's own clock, on this machine).
        notifySeconds = (Math.max(...firstTold.values()) - t0) / 1000;
        break;
      }
      // The broadcast is over and some were never told: they are lost; stop once late receipts had time to come.
      if (notifyDoneAt !== null && Date.now() - notifyDoneAt > 15_000) break;
      if (Date.now() - lastLog > 5_000) {
        lastLog = Date.now();
        log(`drill: ${Math.round((Date.now() - t0) / 1000)} s after t0, ${toldCount.size}/${withAlternative.length} told`);
      }
      await sleep(500);
    }
    let callListSize = 0;
    if (incidentId) {
      const list = await api<{ items: unknown[] }>('GET', `/api/v1/incidents/${incidentId}/call-list`);
      callListSize = list.body.items?.length ?? 0;
    }
    return {
      detectSeconds: detectSeconds === null ? null : Math.round(detectSeconds * 100) / 100,
      notifySeconds: notifySeconds === null ? null : Math.round(notifySeconds * 100) / 100,
      toldShare: withAlternative.length === 0 ? 1 : Math.round((toldCount.size / withAlternative.length) * 10_000) / 10_000,
      callListSize,
      lost: withAlternative.length - toldCount.size,
      duplicates: [...toldCount.values()].filter((n) => n > 1).length,
      contacts: contactsCount,
      affected: affected.length,
      withAlternative: withAlternative.length,
    };
  } finally {
    for (const child of children.reverse()) await child.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}
