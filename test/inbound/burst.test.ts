// Bursts of webhooks over real HTTP, on SQLite and PostgreSQL: raw events are stored by group commit (many requests
// share one transaction) and their messages applied in batches. Every request is answered, every distinct body is
// stored once, every provider message lands once, one sender's messages land in the order they were acknowledged,
// and one bad event fails alone.
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LiveEvent } from '../../src/live/event-bus.js';
import { DATABASES } from '../support/databases.js';
import { type LiveServer, startLiveServer } from '../support/live-server.js';

const PHONE_NUMBER_ID = '100200300';
const APP_SECRET = 'burst-app-secret';

const sign = (body: string) => `sha256=${createHmac('sha256', APP_SECRET).update(body, 'utf8').digest('hex')}`;

function value(inner: Record<string, unknown>) {
  return JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [{ id: 'WABA', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '15550001111', phone_number_id: PHONE_NUMBER_ID }, ...inner } }] }],
  });
}

/** One inbound text message; `at` (seconds) makes otherwise equal bodies differ, as a provider's retry can. */
function messageBody(waId: string, id: string, text: string, at = 1_700_000_000): string {
  return value({
    contacts: [{ profile: { name: `Customer ${waId.slice(-3)}` }, wa_id: waId }],
    messages: [{ from: waId, id, timestamp: String(at), type: 'text', text: { body: text } }],
  });
}

/** A message and a delivery receipt in one webhook, as Meta may batch them. */
function mixedBody(waId: string, id: string, text: string, receiptFor: string): string {
  return value({
    contacts: [{ profile: { name: `Customer ${waId.slice(-3)}` }, wa_id: waId }],
    messages: [{ from: waId, id, timestamp: '1700000000', type: 'text', text: { body: text } }],
    statuses: [{ id: receiptFor, status: 'delivered', timestamp: '1700000001', recipient_id: waId }],
  });
}

const senders = Array.from({ length: 8 }, (_, i) => `5198700${String(i).padStart(4, '0')}`);

describe.each(DATABASES)('a burst of webhooks on $kind', ({ kind, skip }) => {
  describe.skipIf(skip)('', () => {
    let s: LiveServer;
    let webhookUrl: string;
    const live: LiveEvent[] = [];

    const post = (body: string) => s.postWebhook(webhookUrl, body, { 'x-hub-signature-256': sign(body) });
    const created = (prefix: string) =>
      live.filter((e): e is Extract<LiveEvent, { type: 'message.created' }> => e.type === 'message.created' && !!e.providerMessageId?.startsWith(prefix));
    const eventRows = () => s.store.db.selectFrom('inbound_events').select(['id', 'body', 'status', 'error']).where('workspace_id', '=', s.workspaceId).execute();
    const messagesWith = (prefix: string) =>
      s.store.db
        .selectFrom('messages')
        .select(['provider_message_id', 'contact_id'])
        .where('workspace_id', '=', s.workspaceId)
        .where('provider_message_id', 'like', `${prefix}%`)
        .execute();

    beforeAll(async () => {
      s = await startLiveServer({ kind });
      const channel = await s.createChannel('whatsapp', { phoneNumberId: PHONE_NUMBER_ID, accessToken: 'token', appSecret: APP_SECRET, verifyToken: 'verify', apiBaseUrl: s.sandbox.url });
      webhookUrl = channel.webhookUrl;
      s.app.bus.subscribe(s.workspaceId, (event) => live.push(event));
    });
    afterAll(async () => s?.close());

    it('answers every request, stores each distinct body once and each message once, with one contact per sender', async () => {
      const bodies = senders.flatMap((waId, sender) => Array.from({ length: 25 }, (_, n) => messageBody(waId, `wamid.a.${sender}.${n}`, `hello ${n}`)));
      // Provider retries: the same bytes again, and the same message id in a body that differs (a new timestamp).
      const retries = [...bodies.slice(0, 20), ...bodies.slice(20, 30).map((_, i) => messageBody(senders[1]!, `wamid.a.1.${i}`, `hello ${i}`, 1_700_000_999))];
      const responses = await Promise.all([...bodies, ...retries].map((body) => post(body)));
      expect(responses.map((r) => r.status)).toEqual(responses.map(() => 200));
      await s.app.channels.idle();

      const rows = (await eventRows()).filter((r) => r.body.includes('wamid.a.'));
      expect(rows).toHaveLength(bodies.length + 10);
      expect(rows.filter((r) => r.status !== 'processed')).toEqual([]);
      const messages = await messagesWith('wamid.a.');
      expect(messages).toHaveLength(bodies.length);
      expect(new Set(messages.map((m) => m.contact_id)).size).toBe(senders.length);
      const pushed = created('wamid.a.').map((e) => e.providerMessageId);
      expect(pushed).toHaveLength(bodies.length);
      expect(new Set(pushed).size).toBe(bodies.length);
      const contacts = live.filter((e) => e.type === 'contact.created');
      expect(contacts).toHaveLength(senders.length);
    });

    it("applies one sender's messages in the order they were acknowledged, while other senders write at the same time", async () => {
      const perSender = 12;
      // Each sender writes one message after the other (each sent once the last is acknowledged); senders in parallel.
      await Promise.all(
        senders.map(async (waId, sender) => {
          for (let n = 0; n < perSender; n++) {
            const response = await post(messageBody(waId, `wamid.b.${sender}.${n}`, `step ${n}`));
            expect(response.status).toBe(200);
          }
        }),
      );
      await s.app.channels.idle();
      for (const [sender] of senders.entries()) {
        const order = created(`wamid.b.${sender}.`).map((e) => Number(e.providerMessageId!.split('.').at(-1)));
        expect(order).toEqual(Array.from({ length: perSender }, (_, n) => n));
      }
      // Stored order too: message ids are time-ordered (UUIDv7).
      const messages = await s.store.db
        .selectFrom('messages')
        .select(['id', 'provider_message_id'])
        .where('workspace_id', '=', s.workspaceId)
        .where('provider_message_id', 'like', 'wamid.b.3.%')
        .orderBy('id')
        .execute();
      expect(messages.map((m) => m.provider_message_id)).toEqual(Array.from({ length: perSender }, (_, n) => `wamid.b.3.${n}`));
    });

    it('keeps each sender in order when webhooks with receipts (applied apart) are mixed in, and applies each once', async () => {
      const perSender = 9;
      const body = (waId: string, sender: number, n: number) =>
        n % 3 === 1 ? mixedBody(waId, `wamid.c.${sender}.${n}`, `mixed ${n}`, `wamid.unknown.${sender}.${n}`) : messageBody(waId, `wamid.c.${sender}.${n}`, `plain ${n}`);
      await Promise.all(
        senders.map(async (waId, sender) => {
          for (let n = 0; n < perSender; n++) expect((await post(body(waId, sender, n))).status).toBe(200);
        }),
      );
      await s.app.channels.idle();
      expect(await messagesWith('wamid.c.')).toHaveLength(senders.length * perSender);
      for (const [sender] of senders.entries()) {
        const order = created(`wamid.c.${sender}.`).map((e) => Number(e.providerMessageId!.split('.').at(-1)));
        expect(order).toEqual(Array.from({ length: perSender }, (_, n) => n));
      }
      const rows = (await eventRows()).filter((r) => r.body.includes('wamid.c.'));
      expect(rows.map((r) => r.status)).toEqual(rows.map(() => 'processed'));
    });

    it('fails only the event that cannot be applied; the rest of its batch lands', async () => {
      // A contact whose phone is on file before another contact took the WhatsApp handle of the same number: a
      // WhatsApp message from that number belongs to the first, which cannot be given a handle the second owns.
      const phoneOwner = await s.api('POST', '/api/v1/contacts', { name: 'Phone on file', phones: ['+51987711111'] });
      expect(phoneOwner.status).toBe(201);
      const handleOwner = await s.api('POST', '/api/v1/contacts', { name: 'WhatsApp on file', identities: [{ kind: 'whatsapp', value: '+51987711111' }] });
      expect(handleOwner.status).toBe(201);
      const bodies = [
        ...senders.map((waId, sender) => messageBody(waId, `wamid.d.${sender}`, 'fine')),
        messageBody('51987711111', 'wamid.d.conflict', 'cannot land'),
        messageBody('123', 'wamid.d.invalid', 'not a phone number'),
        ...senders.map((waId, sender) => messageBody(waId, `wamid.d.${sender}.later`, 'fine too')),
      ];
      const responses = await Promise.all(bodies.map((body) => post(body)));
      expect(responses.every((r) => r.status === 200)).toBe(true);
      await s.app.channels.idle();
      expect((await messagesWith('wamid.d.')).map((m) => m.provider_message_id).sort()).toEqual(
        senders.flatMap((_, sender) => [`wamid.d.${sender}`, `wamid.d.${sender}.later`]).sort(),
      );
      const rows = (await eventRows()).filter((r) => r.body.includes('wamid.d.'));
      const failed = rows.filter((r) => r.status === 'failed');
      expect(failed.map((r) => (r.body.includes('conflict') ? 'conflict' : 'invalid')).sort()).toEqual(['conflict', 'invalid']);
      expect(failed.every((r) => !!r.error)).toBe(true);
      expect(rows.filter((r) => r.status === 'processed')).toHaveLength(bodies.length - 2);
    });

    it('replays events stored but not applied (a crash after the acknowledgement) once, even when replayed twice at once', async () => {
      const bodies = senders.map((waId, sender) => messageBody(waId, `wamid.e.${sender}`, 'stored before the crash'));
      const ids = await s.store.inboundEvents.recordMany(bodies.map((body) => ({ workspaceId: s.workspaceId, channelId: webhookUrl.split('/').at(-1)!, body, contentType: 'application/json' })));
      expect(ids.every(Boolean)).toBe(true);
      const replayed = await Promise.all([s.app.channels.drainPending(), s.app.channels.drainPending()]);
      expect(replayed[0]).toBeGreaterThanOrEqual(bodies.length);
      await s.app.channels.idle();
      expect(await messagesWith('wamid.e.')).toHaveLength(bodies.length);
      expect(created('wamid.e.')).toHaveLength(bodies.length);
      // The provider sends one again: the same body is recognised and not applied a second time.
      expect((await post(bodies[0]!)).status).toBe(200);
      await s.app.channels.idle();
      expect(created('wamid.e.')).toHaveLength(bodies.length);
    });
  });
});
