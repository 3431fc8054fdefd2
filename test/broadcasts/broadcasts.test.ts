// Broadcasts end to end, on SQLite and PostgreSQL: the API on a real Lifeline server, the fan-out engine writing
// messages through the send path, the dispatcher sending them through real adapters to the provider sandbox, and
// the sandbox's own record of what it accepted (`/_sandbox/sent`) as the proof of who got what, and how often.
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { LiveEvent } from '../../src/live/event-bus.js';
import { buildApp } from '../../src/server/app.js';
import { DATABASES } from '../support/databases.js';
import { type LiveServer, startLiveServer } from '../support/live-server.js';

interface Progress {
  id: string;
  name: string;
  status: string;
  total: number;
  sent: number;
  delivered: number;
  failed: number;
  pending: number;
  skipped: number;
  byChannel: Record<string, { sent: number; delivered: number; failed: number }>;
  failures: { reason: string; channel: string | null; explanation: string; count: number }[];
  startedAt: string | null;
  completedAt: string | null;
}
interface Recipient {
  contactId: string;
  messageId: string | null;
  result: string;
  channel: string | null;
  reason: string | null;
  explanation: string;
}
interface SentItem {
  channel: string;
  to: string;
  text: string;
  subject?: string;
}

const PHONE_NUMBER_ID = '106540352242933';
const WA_SECRET = 'wa-app-secret-broadcasts';
const WA_TOKEN = 'EAAGbroadcastSandboxToken';
const TWILIO_SID = `AC${'b7'.repeat(16)}`;
const TWILIO_TOKEN = 'twilio-token-broadcasts';
const TWILIO_FROM = '+15017122662';
const EMAIL_FROM = 'shop@broadcasts.lifeline.test';
const TEMPLATE = { name: 'we_moved', language: 'es' };

const digits = (value: string) => value.replace(/\D/g, '');

describe.each(DATABASES)('broadcasts on $kind', ({ kind, skip }) => {
  describe.skipIf(skip)('', () => {
    let s: LiveServer;
    const events: LiveEvent[] = [];
    let seq = 0;

    const setRateLimits = async (rateLimits: Record<string, { ratePerSec: number; burst: number } | null>) => {
      await s.store.workspaces.update(s.workspaceId, { settings: { rateLimits } }, 'test');
      s.app.dispatcher.forget();
    };
    /** A customer with a unique phone (and email when asked). */
    const newContact = async (body: Record<string, unknown> = {}, withPhone = true, withEmail = false) => {
      const n = ++seq;
      const phone = `+5197${String(Math.floor(Math.random() * 1_000_000)).padStart(6, '0')}${n % 10}`;
      const email = `customer-${randomBytes(4).toString('hex')}@example.com`;
      const res = await s.api<{ id: string; identities: { id: string; kind: string }[] }>('POST', '/api/v1/contacts', {
        name: `Customer ${n}`,
        ...(withPhone ? { phones: [phone] } : {}),
        ...(withEmail ? { emails: [email] } : {}),
        ...body,
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return { id: res.body.id, phone, email, identities: res.body.identities };
    };
    const create = async (body: Record<string, unknown>, expected = 202) => {
      const res = await s.api<{ id: string; status: string; total: number }>('POST', '/api/v1/broadcasts', body);
      expect(res.status, JSON.stringify(res.body)).toBe(expected);
      return res.body;
    };
    const progress = async (id: string) => {
      const res = await s.api<Progress>('GET', `/api/v1/broadcasts/${id}`);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body;
    };
    const until = (id: string, check: (p: Progress) => boolean, what: string, timeoutMs = 20_000) =>
      s.waitFor(async () => {
        const p = await progress(id);
        return check(p) ? p : null;
      }, `${what} (broadcast ${id})`, timeoutMs);
    const completed = (id: string, timeoutMs?: number) => until(id, (p) => p.status === 'completed', 'completion', timeoutMs);
    const recipients = async (id: string, status?: string) =>
      (await s.api<{ items: Recipient[] }>('GET', `/api/v1/broadcasts/${id}/recipients${status ? `?status=${status}` : ''}`)).body.items;
    const sent = async (channel?: string) => (await s.sandboxApi<{ items: SentItem[] }>('GET', `/_sandbox/sent${channel ? `?channel=${channel}` : ''}`)).body.items;
    const sentTo = async (channel: string, to: string) => (await sent(channel)).filter((item) => (channel === 'email' ? item.to === to : digits(item.to) === digits(to)));
    const tag = () => `t-${randomBytes(4).toString('hex')}`;
    /** `count` customers with one tag: the first creates the tag (two requests creating one tag at once conflict). */
    const tagged = async (count: number, body: Record<string, unknown>) => {
      const first = await newContact(body);
      return [first, ...(await Promise.all(Array.from({ length: count - 1 }, () => newContact(body))))];
    };

    beforeAll(async () => {
      s = await startLiveServer({
        kind,
        receiptDelayMs: 20,
        dispatcher: { backoff: { baseMs: 20, maxMs: 80 }, retryBudget: 1, pollMs: 20, cacheTtlMs: 0, leaseMs: 5_000 },
        health: { monitor: false },
      });
      s.app.bus.subscribe(s.workspaceId, (event) => events.push(event));
      const wa = await s.createChannel('whatsapp', { phoneNumberId: PHONE_NUMBER_ID, accessToken: WA_TOKEN, appSecret: WA_SECRET, verifyToken: 'verify-broadcasts', apiBaseUrl: s.sandbox.url });
      expect((await s.sandboxApi('PUT', '/_sandbox/accounts/whatsapp', { account: PHONE_NUMBER_ID, webhookUrl: wa.webhookUrl, secret: WA_SECRET, accessToken: WA_TOKEN })).status).toBe(200);
      const sms = await s.createChannel('twilio-sms', { accountSid: TWILIO_SID, authToken: TWILIO_TOKEN, from: TWILIO_FROM, apiBaseUrl: s.sandbox.url });
      expect((await s.sandboxApi('PUT', '/_sandbox/accounts/twilio-sms', { account: TWILIO_SID, webhookUrl: sms.webhookUrl, secret: TWILIO_TOKEN, businessHandle: TWILIO_FROM })).status).toBe(200);
      await s.createChannel('email', { from: EMAIL_FROM, fromName: 'Broadcast shop', smtp: { host: '127.0.0.1', port: s.sandbox.smtpPort, secure: false, ignoreTLS: true } });
      expect((await s.sandboxApi('PUT', '/_sandbox/accounts/email', { account: EMAIL_FROM })).status).toBe(200);
      await setRateLimits({ whatsapp: null, 'twilio-sms': null, email: null });
    });
    afterAll(async () => {
      await s?.close();
    });
    beforeEach(async () => {
      await s.sandboxApi('POST', '/_sandbox/reset');
      await s.store.db.deleteFrom('circuit_states').execute();
      events.length = 0;
    });
    afterEach(async () => {
      // Whatever happened, no customer got the same message twice on one channel.
      const copies = new Map<string, number>();
      for (const item of await sent()) {
        const key = `${item.channel}|${digits(item.to) || item.to}|${item.text}`;
        copies.set(key, (copies.get(key) ?? 0) + 1);
      }
      expect([...copies].filter(([, n]) => n > 1)).toEqual([]);
    });

    it('reaches an audience by tags and by ids, with each channel’s variant, and reports it in the documented shape', async () => {
      const vip = tag();
      const onWhatsApp = await newContact({ tags: [vip] });
      const onEmail = await newContact({ tags: [vip] }, false, true);
      const listed = await newContact({ preferredChannels: ['twilio-sms'] });
      const outsider = await newContact({ tags: [tag()] });
      const both = await newContact({ tags: [vip] });
      const startedAt = Date.now();
      const accepted = await create({
        name: 'We moved',
        audience: { tags: [vip.toUpperCase()], contactIds: [listed.id, both.id] },
        text: 'We moved to a new address',
        variants: { whatsapp: { template: TEMPLATE }, 'twilio-sms': { text: 'SMS: we moved' }, email: { subject: 'We moved', text: 'Email: we moved to Calle 5' } },
      });
      expect(Object.keys(accepted).sort()).toEqual(['id', 'status', 'total']);
      expect(accepted.total).toBe(4);

      const done = await completed(accepted.id);
      expect(done).toMatchObject({ total: 4, pending: 0, failed: 0 });
      expect(done.sent + done.delivered).toBe(4);
      for (const key of ['total', 'sent', 'delivered', 'failed', 'pending']) expect(typeof (done as unknown as Record<string, unknown>)[key]).toBe('number');
      expect(done.startedAt).not.toBeNull();
      expect(done.completedAt).not.toBeNull();

      expect((await sentTo('whatsapp', onWhatsApp.phone)).map((m) => m.text)).toEqual([`[template:${TEMPLATE.name}]`]);
      expect((await sentTo('whatsapp', both.phone)).map((m) => m.text)).toEqual([`[template:${TEMPLATE.name}]`]);
      expect((await sentTo('twilio-sms', listed.phone)).map((m) => m.text)).toEqual(['SMS: we moved']);
      const mail = await sentTo('email', onEmail.email);
      expect(mail.map((m) => [m.subject, m.text])).toEqual([['We moved', 'Email: we moved to Calle 5']]);
      expect(await sentTo('whatsapp', outsider.phone)).toEqual([]);
      expect(await sentTo('twilio-sms', outsider.phone)).toEqual([]);

      expect(done.byChannel.whatsapp).toMatchObject({ failed: 0 });
      expect(done.byChannel.whatsapp!.sent + done.byChannel.whatsapp!.delivered).toBe(2);
      expect(done.byChannel.email).toEqual({ sent: 1, delivered: 0, failed: 0 });
      const all = await recipients(accepted.id);
      expect(all.map((r) => r.contactId).sort()).toEqual([onWhatsApp.id, onEmail.id, listed.id, both.id].sort());
      expect(all.find((r) => r.contactId === listed.id)).toMatchObject({ channel: 'twilio-sms', reason: null });

      // The list shows it too, and the live UI heard about it (the last event says completed).
      const list = await s.api<{ items: Progress[] }>('GET', '/api/v1/broadcasts');
      expect(list.body.items.find((b) => b.id === accepted.id)).toMatchObject({ status: 'completed', total: 4 });
      const own = events.filter((e): e is Extract<LiveEvent, { type: 'broadcast.progress' }> => e.type === 'broadcast.progress' && e.broadcastId === accepted.id);
      expect(own.at(-1)).toMatchObject({ status: 'completed', total: 4, pending: 0 });
      // Throttled: about one a second, plus one per status change (started, completed).
      expect(own.length).toBeLessThanOrEqual(Math.ceil((Date.now() - startedAt) / 1000) + 3);
    });

    it('narrows the audience by a handle on a channel and by recent activity', async () => {
      const group = tag();
      const emailOnly = await newContact({ tags: [group] }, false, true);
      const phoneOnly = await newContact({ tags: [group] });
      const both = await newContact({ tags: [group] }, true, true);
      const byHandle = await create({ name: 'Email people', audience: { tags: [group], filter: { handleOn: ['email'] } }, text: 'For email people' });
      expect(byHandle.total).toBe(2);
      await completed(byHandle.id);
      expect((await recipients(byHandle.id)).map((r) => r.contactId).sort()).toEqual([emailOnly.id, both.id].sort());
      expect(await sentTo('twilio-sms', phoneOnly.phone)).toEqual([]);

      // Activity is the customer writing: 40 days ago for one, 2 days ago for another, never for the third (the
      // broadcast just sent to two of them does not count).
      const messages = s.data.messages;
      await messages.append({ contactId: phoneOnly.id, direction: 'inbound', channel: 'twilio-sms', body: 'old question', createdAt: Date.now() - 40 * 86_400_000 });
      await messages.append({ contactId: both.id, direction: 'inbound', channel: 'twilio-sms', body: 'recent question', createdAt: Date.now() - 2 * 86_400_000 });
      const recent = await create({ name: 'Recent people', audience: { tags: [group], filter: { activeWithinDays: 30 } }, text: 'For recent people' });
      expect(recent.total).toBe(1);
      await completed(recent.id);
      expect((await recipients(recent.id)).map((r) => r.contactId)).toEqual([both.id]);
    });

    it('never uses an excluded channel, and fails a recipient over to the next one with that channel’s variant', async () => {
      const group = tag();
      const prefersWhatsApp = await newContact({ tags: [group], preferredChannels: ['whatsapp'] });
      const blockedOnSms = await newContact({ tags: [group] }, true, true);
      await s.fault('twilio-sms', { mode: 'blocked', recipients: [blockedOnSms.phone] });
      const { id } = await create({
        name: 'WhatsApp is down',
        audience: { tags: [group] },
        text: 'Our WhatsApp is down: write to us here',
        excludeChannels: ['whatsapp'],
        variants: { 'twilio-sms': { text: 'SMS: WhatsApp is down' }, email: { subject: 'WhatsApp is down', text: 'Email: our WhatsApp is down, reply to this email' } },
      });
      const done = await completed(id);
      expect(done).toMatchObject({ total: 2, failed: 0, pending: 0 });
      expect(await sent('whatsapp')).toEqual([]);
      expect((await sentTo('twilio-sms', prefersWhatsApp.phone)).map((m) => m.text)).toEqual(['SMS: WhatsApp is down']);
      expect((await sentTo('email', blockedOnSms.email)).map((m) => [m.subject, m.text])).toEqual([['WhatsApp is down', 'Email: our WhatsApp is down, reply to this email']]);
      const failedOver = (await recipients(id)).find((r) => r.contactId === blockedOnSms.id)!;
      expect(failedOver).toMatchObject({ result: 'sent', channel: 'email' });
      const message = await s.api<{ attempts: { channel: string; result: string; errorCategory: string | null }[] }>('GET', `/api/v1/messages/${failedOver.messageId}`);
      expect(message.body.attempts.map((a) => [a.channel, a.result, a.errorCategory])).toEqual([
        ['twilio-sms', 'failed', 'recipient_blocked'],
        ['email', 'sent', null],
      ]);
      expect(done.byChannel['twilio-sms']).toMatchObject({ failed: 1 });
      expect(done.byChannel.email).toMatchObject({ sent: 1 });
    });

    it('skips revoked consent with the reason, and sends marketing only where consent was granted', async () => {
      const group = tag();
      const revoked = await newContact({ tags: [group], identities: [{ kind: 'phone', value: `+5196${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`, consent: 'revoked', consentSource: 'twilio-sms:STOP' }] }, false);
      const ok = await newContact({ tags: [group] });
      const transactional = await create({ name: 'Notice', audience: { tags: [group] }, text: 'Notice for you' });
      const done = await completed(transactional.id);
      expect(done).toMatchObject({ total: 2, failed: 1, skipped: 1, pending: 0 });
      expect(done.failures).toEqual([expect.objectContaining({ reason: 'opted_out', count: 1 })]);
      const failed = await recipients(transactional.id, 'failed');
      expect(failed).toEqual([expect.objectContaining({ contactId: revoked.id, result: 'skipped', messageId: null, reason: 'opted_out' })]);
      expect(failed[0]!.explanation).toMatch(/^Not sent: the customer opted out .*\(.*the customer replied STOP/);
      expect(await sentTo('twilio-sms', ok.phone)).toHaveLength(1);

      const market = tag();
      const granted = await newContact({ tags: [market], emails: [`granted-${randomBytes(3).toString('hex')}@example.com`] }, false);
      await s.api('PUT', `/api/v1/contacts/${granted.id}/identities/${granted.identities[0]!.id}/consent`, { consent: 'granted' });
      const unknown = await newContact({ tags: [market] });
      const marketing = await create({ name: 'Sale', audience: { tags: [market] }, text: 'Sale this weekend', purpose: 'marketing' });
      const after = await completed(marketing.id);
      expect(after).toMatchObject({ total: 2, skipped: 1 });
      expect((await recipients(marketing.id, 'skipped')).map((r) => [r.contactId, r.reason])).toEqual([[unknown.id, 'no_marketing_consent']]);
      expect(await sentTo('twilio-sms', unknown.phone)).toEqual([]);
      expect((await sent('email')).filter((m) => m.text === 'Sale this weekend')).toHaveLength(1);
    });

    it('pauses (holding queued messages), resumes, and cancels with the reason', async () => {
      // One SMS a second: the broadcast is still sending when it is paused.
      await setRateLimits({ whatsapp: null, 'twilio-sms': { ratePerSec: 2, burst: 1 }, email: null });
      try {
        const group = tag();
        const people = await tagged(8, { tags: [group], preferredChannels: ['twilio-sms'] });
        const { id } = await create({ name: 'Slow one', audience: { tags: [group] }, text: 'Paced message' });
        await until(id, (p) => p.sent + p.delivered >= 1, 'the first send');
        const paused = await s.api<Progress>('POST', `/api/v1/broadcasts/${id}/pause`);
        expect(paused.status, JSON.stringify(paused.body)).toBe(200);
        expect(paused.body.status).toBe('paused');
        const atPause = (await sent('twilio-sms')).length;
        await new Promise((r) => setTimeout(r, 2_000));
        // A send the dispatcher had already taken (or was pacing at that instant) may finish; nothing more goes out.
        const whilePaused = (await sent('twilio-sms')).length;
        expect(whilePaused - atPause).toBeLessThanOrEqual(2);
        expect(whilePaused).toBeLessThan(people.length);
        expect((await progress(id)).pending).toBeGreaterThan(0);
        expect((await s.api('POST', `/api/v1/broadcasts/${id}/pause`)).status).toBe(409);

        const resumed = await s.api<Progress>('POST', `/api/v1/broadcasts/${id}/resume`);
        expect(resumed.body.status).toBe('running');
        const done = await completed(id, 30_000);
        expect(done).toMatchObject({ total: people.length, failed: 0 });
        for (const person of people) expect(await sentTo('twilio-sms', person.phone)).toHaveLength(1);

        const second = tag();
        const more = await tagged(6, { tags: [second], preferredChannels: ['twilio-sms'] });
        const next = await create({ name: 'To cancel', audience: { tags: [second] }, text: 'Cancelled message' });
        await until(next.id, (p) => p.total === more.length && p.sent + p.delivered >= 1, 'the first send of the second');
        const cancelled = await s.api<Progress>('POST', `/api/v1/broadcasts/${next.id}/cancel`);
        expect(cancelled.status).toBe(200);
        expect(cancelled.body.status).toBe('cancelled');
        const atCancel = (await sent('twilio-sms')).filter((m) => m.text === 'Cancelled message').length;
        const final = await until(next.id, (p) => p.pending === 0, 'nothing pending after the cancel');
        expect(final.status).toBe('cancelled');
        expect(final.failed).toBeGreaterThan(0);
        expect(final.failures.find((f) => f.reason === 'cancelled')?.explanation).toMatch(/cancelled before this message went out/);
        const failed = await recipients(next.id, 'failed');
        expect(failed.length).toBe(final.failed);
        for (const r of failed) expect(r).toMatchObject({ reason: 'cancelled', explanation: 'Not sent: the broadcast "To cancel" was cancelled before this message went out.' });
        await new Promise((r) => setTimeout(r, 1_000));
        expect((await sent('twilio-sms')).filter((m) => m.text === 'Cancelled message').length - atCancel).toBeLessThanOrEqual(2);
        expect((await s.api('POST', `/api/v1/broadcasts/${next.id}/resume`)).status).toBe(409);
      } finally {
        await setRateLimits({ whatsapp: null, 'twilio-sms': null, email: null });
      }
    });

    it('never counts as cancelled a message a provider already has', async () => {
      // Each SMS takes 1.5 s at the provider: the cancel comes while the calls are in flight.
      await s.sandboxApi('PUT', '/_sandbox/faults/twilio-sms', { mode: 'slow', latencyMs: 1_500 });
      try {
        const group = tag();
        const people = await tagged(3, { tags: [group], preferredChannels: ['twilio-sms'] });
        const { id } = await create({ name: 'Cancelled in flight', audience: { tags: [group] }, text: 'In flight' });
        await s.waitFor(async () => {
          const views = await Promise.all((await recipients(id)).map(async (r) => (await s.api<{ status: string }>('GET', `/api/v1/messages/${r.messageId}`)).body));
          return views.length === people.length && views.every((v) => v.status === 'sending');
        }, 'every message handed to the provider');
        expect((await s.api('POST', `/api/v1/broadcasts/${id}/cancel`)).status).toBe(200);
        const final = await until(id, (p) => p.pending === 0, 'nothing pending after the cancel');
        // What the provider took is what the broadcast counts as sent, and nothing of it as cancelled.
        const reached = (await sent('twilio-sms')).filter((m) => m.text === 'In flight');
        expect(reached).toHaveLength(people.length);
        expect(final).toMatchObject({ status: 'cancelled', failed: 0 });
        expect(final.sent + final.delivered).toBe(people.length);
        expect(await recipients(id, 'failed')).toEqual([]);
      } finally {
        await s.sandboxApi('PUT', '/_sandbox/faults/twilio-sms', { mode: 'ok' });
      }
    });

    it('waits for its start time', async () => {
      const group = tag();
      const person = await newContact({ tags: [group] });
      const startAt = Date.now() + 1_500;
      const { id, status } = await create({ name: 'Later', audience: { tags: [group] }, text: 'Scheduled hello', notBefore: new Date(startAt).toISOString() });
      expect(status).toBe('scheduled');
      await new Promise((r) => setTimeout(r, 700));
      expect(await sentTo('twilio-sms', person.phone)).toEqual([]);
      expect((await progress(id)).status).toBe('scheduled');
      const done = await completed(id);
      expect(Date.parse(done.startedAt!)).toBeGreaterThanOrEqual(startAt - 50);
      expect(await sentTo('twilio-sms', person.phone)).toHaveLength(1);
    });

    it('refuses bad input with what to fix, and answers 404 for an unknown broadcast', async () => {
      const cases: [Record<string, unknown>, string][] = [
        [{ name: 'x', audience: {}, text: 'hi' }, 'The audience names nobody'],
        [{ name: 'x', audience: { tags: [tag()] }, text: 'hi' }, 'matches no contact'],
        [{ name: 'x', audience: { all: true }, text: 'hi', variants: { 'twilio-sms': { template: TEMPLATE } } }, 'put the template under variants.whatsapp'],
        [{ name: 'x', audience: { all: true }, text: 'hi', variants: { fax: { text: 'x' } } }, ''],
        [{ name: 'x', audience: { all: true }, text: 'hi', excludeChannels: ['pigeon'] }, ''],
      ];
      for (const [body, message] of cases) {
        const res = await s.api<{ error: { code: string; message: string } }>('POST', '/api/v1/broadcasts', body);
        expect(res.status, JSON.stringify(res.body)).toBe(400);
        expect(res.body.error.message).toContain(message);
      }
      // Agents read broadcasts; sending one to many customers takes an admin.
      const { key: agentKey } = await s.data.apiKeys.create({ name: 'agent', role: 'agent', createdBy: null }, 'test');
      const asAgent = (method: string, path: string, body?: unknown) =>
        fetch(`${s.url}${path}`, { method, headers: { authorization: `Bearer ${agentKey}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
      expect((await asAgent('POST', '/api/v1/broadcasts', { name: 'x', audience: { all: true }, text: 'hi' })).status).toBe(403);
      expect((await asAgent('GET', '/api/v1/broadcasts')).status).toBe(200);
      expect((await s.api('GET', '/api/v1/broadcasts/nope')).status).toBe(404);
      expect((await s.api('GET', '/api/v1/broadcasts/nope/recipients')).status).toBe(404);
      expect((await s.api('POST', '/api/v1/broadcasts/nope/pause')).status).toBe(404);

      // The same idempotency key returns the first broadcast.
      const group = tag();
      await newContact({ tags: [group] });
      const first = await create({ name: 'Once', audience: { tags: [group] }, text: 'Only once', idempotencyKey: `key-${group}` });
      const again = await create({ name: 'Once', audience: { tags: [group] }, text: 'Only once', idempotencyKey: `key-${group}` }, 200);
      expect(again.id).toBe(first.id);
      await completed(first.id);
      expect((await sent()).filter((m) => m.text === 'Only once')).toHaveLength(1);
    });

    it('resumes a fan-out stopped midway (the app died) without sending anyone twice', async () => {
      const group = tag();
      const people = await tagged(23, { tags: [group] });
      // This server's own fan-out stands aside: a second app, whose fan-out dies after its second page, goes first.
      await s.app.broadcasts.stop();
      let pages = 0;
      let died!: () => void;
      const dead = new Promise<void>((resolve) => (died = resolve));
      const doomed = await buildApp({
        store: s.store,
        config: { publicUrl: s.url, secretKey: randomBytes(32) },
        health: { monitor: false },
        webhooks: { worker: false },
        broadcasts: {
          pageSize: 5,
          tickMs: 100,
          pollMs: 50,
          leaseMs: 1_000,
          stopTimeoutMs: 100,
          // After the second page's messages are written and before its checkpoint: the worst moment to die.
          onPageWritten: async () => {
            if (++pages < 2) return;
            died();
            await new Promise(() => {});
          },
        },
      });
      try {
        await doomed.ready();
        const { id } = await create({ name: 'Crash test', audience: { tags: [group] }, text: 'Crash-safe hello' });
        await dead;
        await doomed.close();
        const stopped = await progress(id);
        expect(stopped.status).toBe('running');
        // Ten messages were written, the checkpoint knows five of them.
        const written = await s.store.db.selectFrom('deliveries').select('message_id').where('idempotency_key', 'like', `broadcast:${id}:%`).execute();
        expect(written).toHaveLength(10);
        expect((await recipients(id)).length).toBe(5);

        // "Start again": this server's engine takes the job over once the dead worker's lease has run out.
        s.app.broadcasts.start();
        const done = await completed(id, 30_000);
        expect(done).toMatchObject({ total: people.length, failed: 0, pending: 0 });
        const items = (await sent('twilio-sms')).filter((m) => m.text === 'Crash-safe hello');
        expect(items).toHaveLength(people.length);
        for (const person of people) expect(items.filter((m) => digits(m.to) === digits(person.phone))).toHaveLength(1);
      } finally {
        s.app.broadcasts.start();
      }
    });
  });
});
