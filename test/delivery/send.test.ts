// Delivery that routes around failure, end to end: the send API on a real Lifeline server, the dispatcher sending
// through real adapters to the provider sandbox over HTTP, receipts coming back as signed webhooks — on SQLite and
// PostgreSQL. Every test ends by checking the sandbox: no message was ever sent twice on one channel.
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { LiveEvent } from '../../src/live/event-bus.js';
import { DATABASES } from '../support/databases.js';
import { type LiveServer, startLiveServer } from '../support/live-server.js';

interface Attempt { channel: string; result: string; errorCategory: string | null; explanation: string; at: string }
interface Message {
  id: string;
  contactId: string;
  status: string;
  channel: string | null;
  attempts: Attempt[];
  skipped: { channel: string; reason: string; explanation: string }[];
  explanation: string;
  notBefore: string | null;
  createdAt: string;
  updatedAt: string;
}
interface SentItem { channel: string; to: string; text: string; providerMessageId: string; at: string }

const PHONE_NUMBER_ID = '106540352242922';
const WA_SECRET = 'wa-app-secret-delivery';
const WA_TOKEN = 'EAAGdeliverySandboxToken';
const TWILIO_SID = `AC${'d1'.repeat(16)}`;
const TWILIO_TOKEN = 'twilio-token-delivery';
const TWILIO_FROM = '+15017122661';
const VIBER_TOKEN = '4453b6ac12345678-e02c5f12174805f9-delivery';
const TEMPLATE = { name: 'order_update', language: 'en' };

const FINAL = new Set(['delivered', 'read', 'failed']);

describe.each(DATABASES)('delivery on $kind', ({ kind, skip }) => {
  describe.skipIf(skip)('', () => {
    let s: LiveServer;
    const events: LiveEvent[] = [];

    const fault = async (channel: string, body: Record<string, unknown>) =>
      expect((await s.sandboxApi('PUT', `/_sandbox/faults/${channel}`, body)).status).toBe(200);
    const setSettings = async (settings: Record<string, unknown>) => {
      await s.store.workspaces.update(s.workspaceId, { settings: settings as never }, 'test');
      s.app.dispatcher.forget();
    };

    /** A new customer with a phone (WhatsApp and SMS) and a Viber account, so tests never share a recipient. */
    const newContact = async (extra: Record<string, unknown> = {}) => {
      const phone = `+5198${String(Math.floor(Math.random() * 10_000_000)).padStart(7, '0')}`;
      const viber = `viber-${randomBytes(6).toString('hex')}==`;
      const res = await s.api<{ id: string }>('POST', '/api/v1/contacts', { name: 'Carla', phones: [phone], identities: [{ kind: 'viber', value: viber }], ...extra });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return { id: res.body.id, phone, viber };
    };
    /** The customer writes from their phone; resolves once Lifeline has it in their timeline. */
    const customerWrites = async (channel: 'whatsapp' | 'twilio-sms', contact: { id: string; phone: string }, text = `Hello ${unique()}`) => {
      const res = await s.sandboxApi<{ webhook: { status: number } }>('POST', '/_sandbox/customers/messages', { channel, from: contact.phone, text });
      expect(res.status).toBe(200);
      await s.waitFor(async () => (await s.timeline<{ body: string }>(contact.id)).some((item) => item.body === text), `${channel} message in the timeline`);
    };
    const send = async (body: Record<string, unknown>) => {
      const res = await s.api<{ id: string; status: string }>('POST', '/api/v1/messages', body);
      expect(res.status, JSON.stringify(res.body)).toBe(202);
      expect(res.body.status).toBe('queued');
      return res.body.id;
    };
    const read = async (id: string) => {
      const res = await s.api<Message>('GET', `/api/v1/messages/${id}`);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body;
    };
    const waitFor = async (id: string, check: (m: Message) => boolean, what: string, timeoutMs = 10_000) =>
      s.waitFor(async () => {
        const m = await read(id);
        return check(m) ? m : null;
      }, `${what} (message ${id})`, timeoutMs);
    const settle = (id: string, timeoutMs?: number) => waitFor(id, (m) => FINAL.has(m.status), 'a final status', timeoutMs);
    const sent = async (channel?: string) =>
      (await s.sandboxApi<{ items: SentItem[] }>('GET', `/_sandbox/sent${channel ? `?channel=${channel}` : ''}`)).body.items;
    const sentTo = async (channel: string, to: string) => (await sent(channel)).filter((item) => item.to.replace(/^\+/, '') === to.replace(/^\+/, ''));
    const unique = () => randomBytes(4).toString('hex');

    beforeAll(async () => {
      s = await startLiveServer({
        kind,
        receiptDelayMs: 20,
        dispatcher: {
          backoff: { baseMs: 20, maxMs: 80 },
          retryBudget: 2,
          circuit: { consecutiveFailures: 3, cooldownMs: 60_000 },
          pollMs: 20,
          cacheTtlMs: 0,
          leaseMs: 5_000,
        },
      });
      s.app.bus.subscribe(s.workspaceId, (event) => events.push(event));
      const wa = await s.createChannel('whatsapp', { phoneNumberId: PHONE_NUMBER_ID, accessToken: WA_TOKEN, appSecret: WA_SECRET, verifyToken: 'verify-delivery', apiBaseUrl: s.sandbox.url });
      expect((await s.sandboxApi('PUT', '/_sandbox/accounts/whatsapp', { account: PHONE_NUMBER_ID, webhookUrl: wa.webhookUrl, secret: WA_SECRET, accessToken: WA_TOKEN })).status).toBe(200);
      const sms = await s.createChannel('twilio-sms', { accountSid: TWILIO_SID, authToken: TWILIO_TOKEN, from: TWILIO_FROM, apiBaseUrl: s.sandbox.url });
      expect((await s.sandboxApi('PUT', '/_sandbox/accounts/twilio-sms', { account: TWILIO_SID, webhookUrl: sms.webhookUrl, secret: TWILIO_TOKEN, businessHandle: TWILIO_FROM })).status).toBe(200);
      await s.createChannel('viber', { authToken: VIBER_TOKEN, senderName: 'Bodega Marta', apiBaseUrl: s.sandbox.url });
      // Provider pacing off (SMS defaults to 1/s); the rate-limit test sets its own.
      await setSettings({ rateLimits: { whatsapp: null, 'twilio-sms': null, viber: null } });
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
      // The promise of the whole feature: whatever happened, no message went twice on one channel.
      const copies = new Map<string, number>();
      for (const item of await sent()) {
        const key = `${item.channel}|${item.to}|${item.text}`;
        copies.set(key, (copies.get(key) ?? 0) + 1);
      }
      expect([...copies].filter(([, n]) => n > 1)).toEqual([]);
    });

    it('sends on the first channel and reports it delivered, in the documented shape', async () => {
      const contact = await newContact();
      const text = `Your order ${unique()} is ready`;
      const id = await send({ contactId: contact.id, text, template: TEMPLATE });
      const m = await waitFor(id, (x) => x.status === 'delivered' || x.status === 'read', 'delivery');
      expect(Object.keys(m).sort()).toEqual(['attempts', 'channel', 'contactId', 'createdAt', 'explanation', 'id', 'notBefore', 'skipped', 'status', 'updatedAt']);
      expect(m).toMatchObject({ id, contactId: contact.id, channel: 'whatsapp' });
      expect(m.attempts).toHaveLength(1);
      // The contract's fields, and the provider's id of the message beside them.
      expect(Object.keys(m.attempts[0]!).sort()).toEqual(['at', 'channel', 'errorCategory', 'explanation', 'providerMessageId', 'result']);
      const [copy] = await sentTo('whatsapp', contact.phone);
      expect(m.attempts[0]).toMatchObject({ channel: 'whatsapp', errorCategory: null, providerMessageId: copy!.providerMessageId });
      expect(['delivered', 'read']).toContain(m.attempts[0]!.result);
      expect(Number.isNaN(Date.parse(m.attempts[0]!.at))).toBe(false);
      expect(m.explanation).toMatch(/^(Delivered by|Read by the customer on) WhatsApp\.$/);
      expect(await sentTo('whatsapp', contact.phone)).toHaveLength(1);
      // On the contact's timeline, as an outbound message.
      const timeline = await s.api<{ items: { id: string; direction: string; body: string }[] }>('GET', `/api/v1/contacts/${contact.id}/timeline`);
      expect(timeline.body.items.find((item) => item.id === id)).toMatchObject({ direction: 'outbound', body: text });
    });

    it('retries a channel that is down, then fails over to the next one', async () => {
      await fault('whatsapp', { mode: 'down' });
      const contact = await newContact();
      const id = await send({ contactId: contact.id, text: `Down ${unique()}`, template: TEMPLATE, route: { channels: ['whatsapp', 'twilio-sms'] } });
      const m = await waitFor(id, (x) => x.status === 'delivered', 'delivery by SMS');
      expect(m.channel).toBe('twilio-sms');
      const wa = m.attempts.filter((a) => a.channel === 'whatsapp');
      expect(wa).toHaveLength(3); // the first try and two retries (retryBudget 2)
      expect(wa.every((a) => a.result === 'failed' && a.errorCategory === 'transient')).toBe(true);
      expect(wa[0]!.explanation).toMatch(/Trying WhatsApp again in/);
      expect(wa[2]!.explanation).toMatch(/Sent by SMS instead\.$/);
      expect(m.attempts.at(-1)).toMatchObject({ channel: 'twilio-sms', result: 'delivered' });
      expect(m.explanation).toBe('Delivered by SMS after WhatsApp failed.');
      expect(await sentTo('whatsapp', contact.phone)).toHaveLength(0);
      expect(await sentTo('twilio-sms', contact.phone)).toHaveLength(1);
    });

    // WhatsApp files a customer's block under "undeliverable" (131026, invalid_recipient); Twilio's 21610 says it.
    const permanent: [string, string, string][] = [
      ['whatsapp', 'reject_recipient', 'invalid_recipient'],
      ['twilio-sms', 'blocked', 'recipient_blocked'],
      ['whatsapp', 'banned', 'account_restricted'],
      ['whatsapp', 'window', 'policy_window'],
      ['whatsapp', 'auth', 'auth'],
    ];
    it.each(permanent)('fails over at once on a permanent error (%s %s → %s)', async (channel, mode, category) => {
      const fallback = channel === 'whatsapp' ? 'twilio-sms' : 'viber';
      const contact = await newContact();
      // WhatsApp refuses only free text outside its window: the customer wrote (as far as Lifeline knows) just now.
      const freeText = mode === 'window';
      if (freeText) await customerWrites('whatsapp', contact);
      await fault(channel, { mode });
      const id = await send({ contactId: contact.id, text: `Permanent ${mode} ${unique()}`, ...(freeText ? {} : { template: TEMPLATE }), route: { channels: [channel, fallback] } });
      const m = await waitFor(id, (x) => x.status === 'delivered' || x.status === 'read', `delivery by ${fallback}`);
      expect(m.attempts.map((a) => [a.channel, a.result === 'read' ? 'delivered' : a.result, a.errorCategory])).toEqual([
        [channel, 'failed', category],
        [fallback, 'delivered', null],
      ]);
      expect(m.attempts[0]!.explanation).toMatch(new RegExp(`Sent by ${fallback === 'viber' ? 'Viber' : 'SMS'} instead\\.$`));
      expect(m.attempts[0]!.explanation).not.toMatch(/Lifeline will/);
      expect(m.channel).toBe(fallback);
    });

    it('fails over when no delivery receipt comes in time', async () => {
      await fault('whatsapp', { mode: 'ok', receipts: 'none' });
      const contact = await newContact();
      const id = await send({
        contactId: contact.id,
        text: `Timeout ${unique()}`,
        template: TEMPLATE,
        route: { channels: ['whatsapp', 'twilio-sms'], failover: { deliveryTimeoutSec: 1 } },
      });
      const m = await waitFor(id, (x) => x.status === 'delivered', 'delivery by SMS');
      expect(m.attempts.map((a) => [a.channel, a.result])).toEqual([
        ['whatsapp', 'timed_out'],
        ['twilio-sms', 'delivered'],
      ]);
      expect(m.attempts[0]!.explanation).toBe('No delivery receipt from WhatsApp within 1 second. Sent by SMS instead.');
    });

    it('fails over when the message is not read in time', async () => {
      // Twilio reports delivery but never reads: after readTimeoutSec the message goes to WhatsApp, which reads.
      const contact = await newContact();
      const id = await send({
        contactId: contact.id,
        text: `Read timeout ${unique()}`,
        template: TEMPLATE,
        route: { channels: ['twilio-sms', 'whatsapp'], failover: { deliveryTimeoutSec: null, readTimeoutSec: 1 } },
      });
      const m = await waitFor(id, (x) => x.status === 'read', 'read on WhatsApp');
      expect(m.attempts.map((a) => [a.channel, a.result])).toEqual([
        ['twilio-sms', 'delivered'],
        ['whatsapp', 'read'],
      ]);
      expect(m.attempts[0]!.explanation).toBe('The customer did not read the message on SMS within 1 second. Sent by WhatsApp instead.');
    });

    it('opens the circuit after repeated failures and then skips the channel at once, with the reason', async () => {
      await fault('whatsapp', { mode: 'down' });
      const first = await newContact();
      const id1 = await send({ contactId: first.id, text: `Circuit 1 ${unique()}`, template: TEMPLATE, route: { channels: ['whatsapp', 'twilio-sms'] } });
      await waitFor(id1, (x) => x.status === 'delivered', 'the first message by SMS');
      expect(events.some((e) => e.type === 'channel.event' && /closed → open/.test(e.detail))).toBe(true);

      const second = await newContact();
      const id2 = await send({ contactId: second.id, text: `Circuit 2 ${unique()}`, template: TEMPLATE, route: { channels: ['whatsapp', 'twilio-sms'] } });
      const m = await waitFor(id2, (x) => x.status === 'delivered', 'the second message by SMS');
      expect(m.attempts.map((a) => a.channel)).toEqual(['twilio-sms']);
      expect(m.skipped).toEqual([{ channel: 'whatsapp', reason: 'circuit_open', explanation: expect.stringMatching(/WhatsApp failed several times just now/) }]);
    });

    it('stops trying a banned account at once: the next message, and Auto in the reply box, go to the next channel', async () => {
      await fault('whatsapp', { mode: 'banned' });
      const first = await newContact();
      const id1 = await send({ contactId: first.id, text: `Banned 1 ${unique()}`, template: TEMPLATE, route: { channels: ['whatsapp', 'twilio-sms'] } });
      await waitFor(id1, (x) => x.status === 'delivered', 'the first message by SMS');
      // One refusal is enough: every message would be refused the same way.
      expect(events.some((e) => e.type === 'channel.event' && /closed → open \(account_refused\)/.test(e.detail))).toBe(true);

      const second = await newContact();
      const id2 = await send({ contactId: second.id, text: `Banned 2 ${unique()}`, template: TEMPLATE, route: { channels: ['whatsapp', 'twilio-sms'] } });
      const m = await waitFor(id2, (x) => x.status === 'delivered', 'the second message by SMS');
      expect(m.attempts.map((a) => a.channel)).toEqual(['twilio-sms']);
      expect(m.skipped).toEqual([{ channel: 'whatsapp', reason: 'account_refused', explanation: expect.stringMatching(/WhatsApp refused the business's account just now/) }]);
      expect(await sentTo('whatsapp', second.phone)).toHaveLength(0);

      const reach = await s.api<{ auto: { kind: string } | null; channels: { kind: string; reason: string | null; explanation: string | null }[] }>(
        'GET',
        `/api/v1/contacts/${second.id}/reachability`,
      );
      expect(reach.body.auto?.kind).not.toBe('whatsapp');
      expect(reach.body.channels.find((c) => c.kind === 'whatsapp')).toMatchObject({ reason: 'account_refused', explanation: expect.stringMatching(/refused the business's account/) });
      const channels = await s.api<{ items: { id: string; kind: string; health: string; healthDetail: { explanation: string } }[] }>('GET', '/api/v1/channels');
      const wa = channels.body.items.find((c) => c.kind === 'whatsapp')!;
      expect(wa).toMatchObject({ health: 'banned', healthDetail: { explanation: expect.stringMatching(/restricted or banned/) } });

      // The owner sorts the account out and saves its settings again: the next message tests WhatsApp at once,
      // without waiting out the cool-down (a minute here).
      await fault('whatsapp', { mode: 'ok' });
      expect((await s.api('PATCH', `/api/v1/channels/${wa.id}`, { config: { accessToken: WA_TOKEN } })).status).toBe(200);
      const third = await newContact();
      const id3 = await send({ contactId: third.id, text: `Banned 3 ${unique()}`, template: TEMPLATE, route: { channels: ['whatsapp', 'twilio-sms'] } });
      const back = await waitFor(id3, (x) => x.status === 'delivered' || x.status === 'read', 'the third message by WhatsApp');
      expect(back.attempts.map((a) => a.channel)).toEqual(['whatsapp']);

      // Refused again; this time the owner sorts it out and presses "Test connection", which passes: same effect.
      await fault('whatsapp', { mode: 'banned' });
      const fourth = await newContact();
      const id4 = await send({ contactId: fourth.id, text: `Banned 4 ${unique()}`, template: TEMPLATE, route: { channels: ['whatsapp', 'twilio-sms'] } });
      await waitFor(id4, (x) => x.status === 'delivered', 'the fourth message by SMS');
      await fault('whatsapp', { mode: 'ok' });
      expect((await s.api<{ ok: boolean }>('POST', `/api/v1/channels/${wa.id}/test`)).body.ok).toBe(true);
      const id5 = await send({ contactId: fourth.id, text: `Banned 5 ${unique()}`, template: TEMPLATE, route: { channels: ['whatsapp', 'twilio-sms'] } });
      const tested = await waitFor(id5, (x) => x.status === 'delivered' || x.status === 'read', 'the fifth message by WhatsApp');
      expect(tested.attempts.map((a) => a.channel)).toEqual(['whatsapp']);
    });

    it('takes a late receipt from an earlier channel as delivered and sends nowhere else', async () => {
      // WhatsApp's receipts come 1.5 s apart (sent, then delivered at 3 s); the delivery timeout is 2 s; SMS never
      // confirms. So: WhatsApp times out, SMS is sent, WhatsApp's receipt arrives — and Viber is never tried.
      await fault('whatsapp', { mode: 'ok', receiptDelayMs: 1_500 });
      await fault('twilio-sms', { mode: 'ok', receipts: 'none' });
      const contact = await newContact();
      const id = await send({
        contactId: contact.id,
        text: `Late ${unique()}`,
        template: TEMPLATE,
        route: { channels: ['whatsapp', 'twilio-sms', 'viber'], failover: { deliveryTimeoutSec: 2 } },
      });
      const m = await waitFor(id, (x) => x.status === 'delivered' || x.status === 'read', 'the late WhatsApp receipt', 15_000);
      expect(m.channel).toBe('whatsapp');
      // Past SMS's own delivery timeout: still nothing on Viber.
      await new Promise((r) => setTimeout(r, 2_500));
      const after = await read(id);
      expect(after.attempts.map((a) => a.channel)).toEqual(['whatsapp', 'twilio-sms']);
      expect(after.explanation).toMatch(/^(Delivered|Read by the customer) (by|on) WhatsApp\. Its receipt came late, so the message was also sent by SMS\.$/);
      expect(await sentTo('viber', contact.viber)).toHaveLength(0);
      expect(await sentTo('whatsapp', contact.phone)).toHaveLength(1);
      expect(await sentTo('twilio-sms', contact.phone)).toHaveLength(1);
    });

    it('does not send again on a channel whose attempt a crash interrupted; fails over after the delivery timeout', async () => {
      // What a worker killed between recording the attempt and hearing the provider's answer leaves behind: the
      // attempt in 'sending', the job still to run. Whether WhatsApp took it is unknown, so it must not go there again.
      const contact = await newContact();
      const id = await send({
        contactId: contact.id,
        text: `Interrupted ${unique()}`,
        template: TEMPLATE,
        route: { channels: ['whatsapp', 'twilio-sms'], failover: { deliveryTimeoutSec: 1 } },
        notBefore: new Date(Date.now() + 3_600_000).toISOString(),
      });
      const channels = await s.data.channels.list();
      const whatsapp = channels.find((c) => c.kind === 'whatsapp')!;
      await s.data.deliveries.recordAttempt({ messageId: id, seq: 1, channelId: whatsapp.id, kind: 'whatsapp', recipient: contact.phone, at: Date.now() - 10_000 });
      const job = await s.store.db.selectFrom('jobs').select('id').where('dedupe_key', '=', `send:${id}`).executeTakeFirstOrThrow();
      expect(await s.app.dispatcher.queue.reschedule(job.id, Date.now())).toBe(true);
      s.app.dispatcher.wake();

      const m = await waitFor(id, (x) => x.status === 'delivered', 'delivery by SMS');
      expect(m.attempts.map((a) => [a.channel, a.result])).toEqual([
        ['whatsapp', 'timed_out'],
        ['twilio-sms', 'delivered'],
      ]);
      expect(await sentTo('whatsapp', contact.phone)).toHaveLength(0);
      expect(await sentTo('twilio-sms', contact.phone)).toHaveLength(1);
    });

    it('fails a scheduled message at once, saying why, when its contact is deleted; and sends nothing', async () => {
      const contact = await newContact();
      const id = await send({ contactId: contact.id, text: `Tomorrow ${unique()}`, template: TEMPLATE, notBefore: new Date(Date.now() + 3_600_000).toISOString() });
      expect((await read(id)).status).toBe('queued');
      expect((await s.api('DELETE', `/api/v1/contacts/${contact.id}`)).status).toBe(204);
      expect(await read(id)).toMatchObject({ status: 'failed', explanation: 'Not sent: the contact was deleted before the message went out.' });
      // Its job, run now, finds nothing to do.
      const job = await s.store.db.selectFrom('jobs').select('id').where('dedupe_key', '=', `send:${id}`).executeTakeFirstOrThrow();
      expect(await s.app.dispatcher.queue.reschedule(job.id, Date.now())).toBe(true);
      s.app.dispatcher.wake();
      await s.app.dispatcher.idle();
      expect(await read(id)).toMatchObject({ status: 'failed', explanation: 'Not sent: the contact was deleted before the message went out.' });
      expect(await sentTo('whatsapp', contact.phone)).toHaveLength(0);
      expect(await sentTo('twilio-sms', contact.phone)).toHaveLength(0);
    });

    it('explains a message whose contact was deleted before its turn came', async () => {
      // Deleted under the dispatcher's feet (straight in the store, as a second process would): the run that
      // finds no contact says so.
      const contact = await newContact();
      const id = await send({ contactId: contact.id, text: `Soon ${unique()}`, template: TEMPLATE, notBefore: new Date(Date.now() + 3_600_000).toISOString() });
      await s.store.db.deleteFrom('contacts').where('id', '=', contact.id).execute();
      const job = await s.store.db.selectFrom('jobs').select('id').where('dedupe_key', '=', `send:${id}`).executeTakeFirstOrThrow();
      expect(await s.app.dispatcher.queue.reschedule(job.id, Date.now())).toBe(true);
      s.app.dispatcher.wake();
      const m = await waitFor(id, (x) => x.status === 'failed', 'the message to fail');
      expect(m.explanation).toBe('Not sent: the contact was deleted before the message went out.');
    });

    it('returns the first message for a reused idempotency key and sends it once', async () => {
      const contact = await newContact();
      const key = `order-${unique()}`;
      const body = { contactId: contact.id, text: `Idempotent ${unique()}`, template: TEMPLATE, idempotencyKey: key };
      const answers = await Promise.all([1, 2, 3].map(() => s.api<{ id: string; status: string }>('POST', '/api/v1/messages', body)));
      const ids = new Set(answers.map((a) => a.body.id));
      expect(ids.size).toBe(1);
      expect(answers.filter((a) => a.status === 202)).toHaveLength(1);
      expect(answers.every((a) => a.status === 202 || a.status === 200)).toBe(true);
      const [id] = [...ids];
      await settle(id!);
      const again = await s.api<{ id: string; status: string }>('POST', '/api/v1/messages', body);
      expect(again.status).toBe(200);
      expect(again.body.id).toBe(id);
      await new Promise((r) => setTimeout(r, 300));
      expect(await sentTo('whatsapp', contact.phone)).toHaveLength(1);
    });

    it('takes the key from the Idempotency-Key header too, and refuses a key reused for another message', async () => {
      const contact = await newContact();
      const other = await newContact();
      const key = `header-${unique()}`;
      const post = async (body: Record<string, unknown>, headers: Record<string, string> = {}) => {
        const res = await fetch(`${s.url}/api/v1/messages`, {
          method: 'POST',
          headers: { authorization: `Bearer ${s.apiKey}`, 'content-type': 'application/json', ...headers },
          body: JSON.stringify(body),
        });
        return { status: res.status, body: (await res.json()) as { id?: string; error?: { code: string; message: string } } };
      };
      const body = { contactId: contact.id, text: `Header key ${unique()}`, template: TEMPLATE };
      const first = await post(body, { 'idempotency-key': key });
      expect(first.status, JSON.stringify(first.body)).toBe(202);
      const again = await post(body, { 'idempotency-key': key });
      expect(again).toMatchObject({ status: 200, body: { id: first.body.id } });
      expect(await post({ ...body, idempotencyKey: key })).toMatchObject({ status: 200, body: { id: first.body.id } });

      for (const changed of [{ ...body, text: 'Another text' }, { ...body, contactId: other.id }]) {
        const reused = await post(changed, { 'idempotency-key': key });
        expect(reused.status, JSON.stringify(reused.body)).toBe(409);
        expect(reused.body.error).toMatchObject({ code: 'idempotency_key_reused', message: expect.stringContaining('use a new key') });
      }
      expect((await post({ ...body, idempotencyKey: 'one' }, { 'idempotency-key': 'two' })).status).toBe(400);
      await settle(first.body.id!);
      expect(await sentTo('whatsapp', contact.phone)).toHaveLength(1);
      expect(await sentTo('whatsapp', other.phone)).toHaveLength(0);
    });

    it('never sends SMS to a customer who replied STOP', async () => {
      const contact = await newContact();
      await customerWrites('twilio-sms', contact, 'STOP');
      await s.waitFor(async () => {
        const c = await s.api<{ identities: { kind: string; consent: string }[] }>('GET', `/api/v1/contacts/${contact.id}`);
        return c.body.identities.find((i) => i.kind === 'phone')?.consent === 'revoked';
      }, 'consent revoked');
      const id = await send({ contactId: contact.id, text: `After STOP ${unique()}`, route: { channels: ['twilio-sms', 'viber'] } });
      const m = await waitFor(id, (x) => x.status === 'delivered' || x.status === 'read', 'delivery by Viber');
      expect(m.attempts.map((a) => a.channel)).toEqual(['viber']);
      expect(m.skipped).toEqual([{ channel: 'twilio-sms', reason: 'opted_out', explanation: expect.stringMatching(/replied STOP/) }]);
      expect(await sentTo('twilio-sms', contact.phone)).toHaveLength(0);
    });

    it('skips SMS for a text longer than Twilio takes, and sends it on the next channel', async () => {
      const contact = await newContact();
      const text = `Long ${unique()} ${'x'.repeat(2000)}`;
      const id = await send({ contactId: contact.id, text, template: TEMPLATE, route: { channels: ['twilio-sms', 'whatsapp'] } });
      const m = await settle(id);
      // WhatsApp's read receipt may follow its delivery receipt before the message is looked at: either is final.
      expect(['delivered', 'read']).toContain(m.status);
      expect(m.attempts.map((a) => [a.channel, a.result === 'read' ? 'delivered' : a.result])).toEqual([['whatsapp', 'delivered']]);
      expect(m.skipped).toEqual([{ channel: 'twilio-sms', reason: 'too_long', explanation: expect.stringContaining('1,600 characters') }]);
      expect(await sentTo('twilio-sms', contact.phone)).toHaveLength(0);
    });

    it('fails with the reasons when no channel can take the message', async () => {
      const contact = await newContact();
      await fault('twilio-sms', { mode: 'reject_recipient' });
      const id = await send({ contactId: contact.id, text: `Nowhere ${unique()}`, route: { channels: ['twilio-sms', 'email'] } });
      const m = await settle(id);
      expect(m.status).toBe('failed');
      expect(m.channel).toBeNull();
      expect(m.attempts.map((a) => [a.channel, a.result])).toEqual([['twilio-sms', 'failed']]);
      expect(m.attempts[0]!.explanation).toMatch(/No other channel was left to try\.$/);
      expect(m.explanation).toMatch(/^Not delivered: no channel could deliver it \(SMS: .*; email: not connected\)\.$/);
    });

    it('holds a non-urgent message during quiet hours and sends an urgent one at once', async () => {
      const hhmm = (offsetMin: number) => {
        const d = new Date(Date.now() + offsetMin * 60_000);
        return `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`;
      };
      const contact = await newContact({ timezone: 'UTC' });
      await setSettings({ quietHours: { start: hhmm(-60), end: hhmm(60) } });
      try {
        const held = await send({ contactId: contact.id, text: `Quiet ${unique()}`, route: { channels: ['viber'] } });
        const urgent = await send({ contactId: contact.id, text: `Urgent ${unique()}`, route: { channels: ['viber'] }, urgent: true });
        await waitFor(urgent, (x) => x.status === 'delivered' || x.status === 'read', 'the urgent message');
        const m = await read(held);
        expect(m.status).toBe('queued');
        expect(m.attempts).toEqual([]);
        expect(Date.parse(m.notBefore!)).toBeGreaterThan(Date.now() + 50 * 60_000);
        expect(await sentTo('viber', contact.viber)).toHaveLength(1);
      } finally {
        await setSettings({ quietHours: null });
      }
    });

    it('holds a channel to its configured rate', async () => {
      await setSettings({ rateLimits: { whatsapp: null, viber: null, 'twilio-sms': { ratePerSec: 5, burst: 1 } } });
      try {
        const contact = await newContact();
        const tag = unique();
        const ids: string[] = [];
        for (let i = 0; i < 20; i += 1) ids.push(await send({ contactId: contact.id, text: `Rate ${tag} ${i}`, route: { channels: ['twilio-sms'] } }));
        await s.waitFor(async () => (await sentTo('twilio-sms', contact.phone)).length === 20, '20 SMS at the sandbox', 15_000);
        const times = (await sentTo('twilio-sms', contact.phone)).map((item) => Date.parse(item.at)).sort((a, b) => a - b);
        // 5 per second plus a burst of 1: never more than 6 in any second, so any 7 in a row span over a second
        // (1.2 s by the tokens; the margin absorbs request latency at the sandbox).
        for (let i = 0; i + 6 < times.length; i += 1) expect(times[i + 6]! - times[i]!).toBeGreaterThanOrEqual(1_000);
        expect(times.at(-1)! - times[0]!).toBeGreaterThanOrEqual(3_700);
      } finally {
        await setSettings({ rateLimits: { whatsapp: null, 'twilio-sms': null, viber: null } });
      }
    });

    it('validates the request and keeps contacts of other workspaces out of reach', async () => {
      const contact = await newContact();
      const bad = await s.api<{ error: { code: string; message: string } }>('POST', '/api/v1/messages', { contactId: contact.id, text: '', route: { channels: ['pigeon'] } });
      expect(bad.status).toBe(400);
      expect(bad.body.error.code).toBe('invalid_request');
      const unknownField = await s.api<{ error: { code: string } }>('POST', '/api/v1/messages', { contactId: contact.id, text: 'hi', channel: 'sms' });
      expect(unknownField.status).toBe(400);
      const missing = await s.api<{ error: { code: string } }>('POST', '/api/v1/messages', { contactId: 'no-such-contact', text: 'hi' });
      expect(missing.status).toBe(404);
      expect(missing.body.error.code).toBe('not_found');

      const other = await s.store.workspaces.createWithOwner({ workspaceName: 'Other shop', email: `other-${unique()}@example.com`, password: 'password1', defaultRegion: 'PE' });
      const stranger = await s.store.forWorkspace(other.workspace.id, 'PE').contacts.create({ name: 'Not yours', phones: ['+51911111111'] }, 'test');
      const foreign = await s.api('POST', '/api/v1/messages', { contactId: stranger.id, text: 'hi' });
      expect(foreign.status).toBe(404);
      expect((await s.api('GET', '/api/v1/messages/no-such-message')).status).toBe(404);
    });
  });
});
