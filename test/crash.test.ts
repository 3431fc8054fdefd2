// The crash test of issue 4: `lifeline start` runs as a child process, 2,000 messages are queued through the send
// API, the process is killed with SIGKILL while it is sending, and restarted on the same data. Every message must
// end delivered (or read), or failed with an explanation: none lost, and none sent twice on one channel — counted
// at the provider sandbox, which runs in this process and records every message each simulated provider accepted.
// Requires the built CLI (`npm test` builds before vitest runs).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSandboxChannels, createContacts, customerPhone } from '../bench/support/channels.js';
import { type JsonClient, jsonClient } from '../bench/support/http.js';
import { forEachConcurrently, freePort, type LifelineProcess, prepareWorkspace, sleep, startLifeline } from '../bench/support/processes.js';
import { setRateLimits } from '../bench/support/workspace-settings.js';
import { type Sandbox, startSandbox } from '../src/sandbox/index.js';
import { createTestDatabase, DATABASES, type TestDatabase } from './support/databases.js';

const CONTACTS = 200;
const MESSAGES = 2000;
const CONCURRENCY = 20;
/** Kill once the sandbox has accepted this many messages: mid-run, with plenty still to send. */
const KILL_AFTER_SENT = 300;
const DELIVERY_TIMEOUT_SEC = 5;
const SETTLE_TIMEOUT_MS = 180_000;
const ROUTE = ['whatsapp', 'twilio-sms', 'email'] as const;
/**
 * The fallback channels' provider paces (SMS 1/s, email 5/s) lifted: the sandbox does not throttle, and the
 * messages in doubt after the crash fail over together. WhatsApp keeps its default 60/s, so the run lasts long
 * enough to be killed in the middle.
 */
const RATE_LIMITS = { 'twilio-sms': null, email: null };

interface Attempt {
  channel: string;
  result: string;
  errorCategory: string | null;
  explanation: string | null;
  at: string;
}
interface MessageView {
  id: string;
  contactId: string;
  status: 'queued' | 'sending' | 'sent' | 'delivered' | 'read' | 'failed';
  channel: string | null;
  attempts: Attempt[];
  explanation: string;
}

// Email has no delivery receipts: a message the mail server accepted can stay 'sent' for good.
const settled = (m: MessageView) =>
  m.status === 'delivered' || m.status === 'read' || m.status === 'failed' || (m.status === 'sent' && (m.channel ?? m.attempts.at(-1)?.channel) === 'email');

// Minutes long and still flaky on SQLite under load (a request can time out while the restarted server catches up),
// so it runs only when asked: LIFELINE_CRASH_TEST=1 npm test.
const CRASH_TEST = process.env.LIFELINE_CRASH_TEST === '1';
if (!CRASH_TEST) console.warn('NOTICE: the kill -9 crash test is SKIPPED; run it with LIFELINE_CRASH_TEST=1.');

describe.each(DATABASES)('crash: kill -9 while sending, restart, on $kind', ({ kind, skip }) => {
  describe.skipIf(skip || !CRASH_TEST)('', () => {
    let sandbox: Sandbox;
    let database: TestDatabase;
    let dataDir: string;
    let env: NodeJS.ProcessEnv;
    let port: number;
    let server: LifelineProcess | undefined;
    let api: JsonClient;
    let sandboxApi: JsonClient;
    let contacts: string[];

    const startServer = async () => {
      server = await startLifeline({ dataDir, port, env });
      return server;
    };

    beforeAll(async () => {
      // Receipts come back fast, so what is in doubt after the crash is decided by the delivery timeout, not luck.
      sandbox = await startSandbox({ receiptDelayMs: 20 });
      database = await createTestDatabase(kind);
      dataDir = mkdtempSync(join(tmpdir(), 'lifeline-crash-'));
      env = kind === 'postgres' ? { LIFELINE_DATABASE_URL: database.url } : {};
      port = await freePort();
      const key = await prepareWorkspace(dataDir, env);
      await setRateLimits(dataDir, env, RATE_LIMITS);
      await startServer();
      api = jsonClient(server!.url, { headers: { authorization: `Bearer ${key}` }, connections: CONCURRENCY, timeoutMs: 15_000 });
      sandboxApi = jsonClient(sandbox.url);
      await connectSandboxChannels(api, sandboxApi, sandbox, ROUTE);
      contacts = await createContacts(api, CONTACTS, CONCURRENCY);
      // Each customer writes on WhatsApp first, as customers do: the 24-hour window is open, so WhatsApp is the
      // first channel tried rather than skipped for want of a template.
      await forEachConcurrently(CONTACTS, 10, async (i) => {
        await sandbox.control.customerMessage({ channel: 'whatsapp', from: customerPhone(i), text: `hola ${i}` });
      });
      const deadline = Date.now() + 60_000;
      let waiting = [...contacts];
      while (waiting.length > 0 && Date.now() < deadline) {
        const still: string[] = [];
        for (const id of waiting) {
          const contact = await api.call<{ identities: { kind: string }[] }>('GET', `/api/v1/contacts/${id}`);
          if (!contact.body.identities.some((identity) => identity.kind === 'whatsapp')) still.push(id);
        }
        waiting = still;
        if (waiting.length > 0) await sleep(250);
      }
      expect(waiting, 'contacts whose WhatsApp message was not filed under them').toEqual([]);
    }, 180_000);

    afterAll(async () => {
      await server?.stop('SIGKILL');
      await api?.close();
      await sandboxApi?.close();
      await sandbox?.close();
      await database?.drop();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    }, 60_000);

    it('loses no message and sends none twice on one channel', async () => {
      const tag = `${kind}-${Date.now().toString(36)}`;
      const textOf = (i: number) => `Order ${i} is on its way [${tag}]`;
      const ids: (string | undefined)[] = new Array<string | undefined>(MESSAGES);
      const send = (i: number) =>
        api.call<{ id: string; status: string }>('POST', '/api/v1/messages', {
          contactId: contacts[i % CONTACTS],
          text: textOf(i),
          route: { channels: ROUTE, failover: { onError: true, deliveryTimeoutSec: DELIVERY_TIMEOUT_SEC } },
          // A POST cut off by the crash is repeated after the restart with the same key: at most one message.
          idempotencyKey: `crash-${tag}-${i}`,
        });

      // Queue, and kill -9 the server once the sandbox has accepted KILL_AFTER_SENT messages (bounded wait).
      let queueError: unknown;
      const queueing = forEachConcurrently(MESSAGES, CONCURRENCY, async (i) => {
        try {
          const answer = await send(i);
          if (answer.status === 202 || answer.status === 200) ids[i] = answer.body.id;
          else if (answer.status < 500) throw new Error(`POST /api/v1/messages answered ${answer.status}: ${JSON.stringify(answer.body)}`);
        } catch (error) {
          // Connection refused or reset by the kill: repeated after the restart.
          if ((error as Error).message.startsWith('POST /api/v1/messages')) throw error;
        }
      }).catch((error: unknown) => {
        queueError = error;
      });
      const killDeadline = Date.now() + 120_000;
      while (sandbox.context.sent.size < KILL_AFTER_SENT && Date.now() < killDeadline && queueError === undefined) await sleep(20);
      if (queueError !== undefined) throw queueError;
      expect(sandbox.context.sent.size, 'messages the sandbox accepted before the kill').toBeGreaterThanOrEqual(KILL_AFTER_SENT);
      server!.child.kill('SIGKILL');
      expect(await server!.exited).toBe('SIGKILL');
      const sentAtKill = sandbox.context.sent.size;
      await queueing;
      const queuedBeforeKill = ids.filter(Boolean).length;

      const restartedAt = Date.now();
      await startServer();
      const repeated: number[] = [];
      for (let i = 0; i < MESSAGES; i++) if (ids[i] === undefined) repeated.push(i);
      await forEachConcurrently(repeated.length, CONCURRENCY, async (k) => {
        const i = repeated[k]!;
        const answer = await send(i);
        expect([200, 201, 202], JSON.stringify(answer.body)).toContain(answer.status);
        ids[i] = answer.body.id;
      });
      expect(new Set(ids).size, 'distinct message ids').toBe(MESSAGES);

      // Wait, bounded, until every message has settled.
      const final = new Map<string, MessageView>();
      let pending = ids as string[];
      const settleDeadline = Date.now() + SETTLE_TIMEOUT_MS;
      while (pending.length > 0 && Date.now() < settleDeadline) {
        const still: string[] = [];
        await forEachConcurrently(pending.length, CONCURRENCY, async (k) => {
          const id = pending[k]!;
          const answer = await api.call<MessageView>('GET', `/api/v1/messages/${id}`);
          if (answer.status === 200) final.set(id, answer.body);
          if (answer.status !== 200 || !settled(answer.body)) still.push(id);
        });
        pending = still;
        if (pending.length > 0) await sleep(1000);
      }
      const settledMs = Date.now() - restartedAt;

      // At the provider: each message's text at most once per channel, and only texts this test sent.
      const indexOfText = new Map<string, number>(Array.from({ length: MESSAGES }, (_, i) => [textOf(i), i]));
      const perChannel = new Map<string, number>();
      const duplicates: string[] = [];
      const strangers: string[] = [];
      const reached = new Set<number>();
      for (const item of sandbox.context.sent.list()) {
        const text = item.text.trim();
        const index = indexOfText.get(text);
        if (index === undefined) {
          strangers.push(`${item.channel}: ${text.slice(0, 80)}`);
          continue;
        }
        reached.add(index);
        const key = `${item.channel}\u0000${text}`;
        const seen = (perChannel.get(key) ?? 0) + 1;
        perChannel.set(key, seen);
        if (seen === 2) duplicates.push(`${item.channel}: ${text}`);
      }

      const views = [...final.values()];
      const byStatus: Record<string, number> = {};
      const byChannel: Record<string, number> = {};
      for (const m of views) {
        byStatus[m.status] = (byStatus[m.status] ?? 0) + 1;
        const channel = m.channel ?? 'none';
        byChannel[channel] = (byChannel[channel] ?? 0) + 1;
      }
      const failedWithoutReason = views.filter((m) => m.status === 'failed' && !(m.explanation && m.attempts.some((a) => a.explanation))).map((m) => m.id);
      const deliveredUnseen = views
        .filter((m) => m.status === 'delivered' || m.status === 'read' || m.status === 'sent')
        .filter((m) => !reached.has(ids.indexOf(m.id)))
        .map((m) => m.id);
      const attempts: Record<string, number> = {};
      for (const a of views.flatMap((m) => m.attempts)) attempts[`${a.channel}:${a.result}`] = (attempts[`${a.channel}:${a.result}`] ?? 0) + 1;
      const report = {
        database: kind,
        messages: MESSAGES,
        queuedBeforeKill,
        repeatedAfterRestart: repeated.length,
        sentAtKill,
        sandboxAccepted: sandbox.context.sent.size,
        byStatus,
        byChannel,
        attempts,
        failedOver: views.filter((m) => new Set(m.attempts.map((a) => a.channel)).size > 1).length,
        unsettled: pending.length,
        duplicates: duplicates.length,
        settledSecondsAfterRestart: Math.round(settledMs / 100) / 10,
      };
      console.log(`crash test: ${JSON.stringify(report)}`);

      expect(strangers, 'texts at the sandbox this test never sent').toEqual([]);
      expect(pending.slice(0, 10), `${pending.length} messages not settled within ${SETTLE_TIMEOUT_MS / 1000} s`).toEqual([]);
      expect(duplicates.slice(0, 10), `${duplicates.length} messages sent twice on one channel`).toEqual([]);
      expect(failedWithoutReason.slice(0, 10), 'failed messages without an explanation').toEqual([]);
      expect(deliveredUnseen.slice(0, 10), 'messages reported sent or delivered that no provider accepted').toEqual([]);
      expect(views).toHaveLength(MESSAGES);
    }, SETTLE_TIMEOUT_MS + 240_000);
  });
});
