// Viber channel conformance against the provider sandbox over real HTTP, on SQLite and PostgreSQL: set_webhook
// (answering Viber's signed check), connection test, sending with exact 64-bit message tokens, every fault mode,
// inbound messages into the right contact, signature rejection, duplicate callbacks, delivered/seen/failed
// receipts, and subscribe/unsubscribe changing consent.
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { adapterFor } from '../../src/channels/registry.js';
import { type OutboundMessage, ProviderError } from '../../src/channels/types.js';
import { DATABASES } from '../support/databases.js';
import { type LiveServer, providerErrorOf, startLiveServer } from '../support/live-server.js';

interface Identity { kind: string; value: string; consent: string; consentSource: string | null }
interface Contact { id: string; name: string | null; identities: Identity[] }
interface TimelineItem { body: string; direction: string; channel: string | null; providerMessageId: string | null; status: string }
interface SentItem { channel: string; to: string; text: string; providerMessageId: string }

const AUTH_TOKEN = '4453b6ac12345678-e02c5f12174805f9-test-viber';

/** Viber's signature written out again here, so the test does not trust the code it checks. */
const sign = (body: string, key = AUTH_TOKEN) => createHmac('sha256', key).update(body, 'utf8').digest('hex');

// A bare 64-bit token, as Viber writes it: above 2^53, so a JSON.parse round trip would change it.
const messageBody = (token: string, senderId: string, text: string) =>
  `{"event":"message","timestamp":1700000000000,"chat_hostname":"SN-CHAT-05_","message_token":${token},"sender":{"id":"${senderId}","name":"Marta","api_version":10},"message":{"type":"text","text":"${text}"},"silent":false}`;

describe.each(DATABASES)('viber channel on $kind', ({ kind, skip }) => {
  describe.skipIf(skip)('', () => {
    let s: LiveServer;
    let channelId: string;
    let webhookUrl: string;
    const adapter = adapterFor('viber')!;

    const ctx = async () => s.app.channels.contextFor((await s.data.channels.get(channelId))!);
    const send = async (extra: Partial<OutboundMessage> = {}) =>
      adapter.send(await ctx(), { messageId: `msg-${Math.random()}`, to: 'vbCustomer01+AbC==', text: 'Your order is ready', ...extra });
    const sendError = (): Promise<ProviderError> => providerErrorOf(send());
    const fault = (body: Record<string, unknown>) => s.fault('viber', body);
    const postWebhook = (body: string, headers: Record<string, string>) => s.postWebhook(webhookUrl, body, headers);
    const countRows = (table: 'inbound_events' | 'messages') => s.countRows(table);
    const findContacts = (query: string) => s.findContacts<Contact>(query);
    const timeline = (contactId: string) => s.timeline<TimelineItem>(contactId);
    const customerWrites = async (from: string, text: string) => {
      const res = await s.sandboxApi<{ providerMessageId: string; webhook: { status: number } }>('POST', '/_sandbox/customers/messages', { channel: 'viber', account: AUTH_TOKEN, from, text, name: 'Marta' });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.webhook.status).toBe(200);
      return res.body.providerMessageId;
    };
    const inboundMessage = (providerMessageId: string) =>
      s.waitFor(async () => s.data.messages.findByProviderId(channelId, 'inbound', providerMessageId), `inbound ${providerMessageId}`);
    const outboundStatus = (providerMessageId: string, status: string) =>
      s.waitFor(async () => {
        const m = await s.data.messages.findByProviderId(channelId, 'outbound', providerMessageId);
        return m?.status === status && m;
      }, `outbound ${status}`);

    beforeAll(async () => {
      s = await startLiveServer({ kind });
      const created = await s.createChannel('viber', { authToken: AUTH_TOKEN, senderName: 'Bodega Marta', apiBaseUrl: s.sandbox.url });
      channelId = created.id;
      webhookUrl = created.webhookUrl;
    });
    afterAll(async () => {
      await s?.close();
    });
    beforeEach(async () => {
      await s.sandboxApi('POST', '/_sandbox/reset');
    });

    it('set the webhook to the channel URL after answering Viber\'s signed check', async () => {
      const accounts = await s.sandboxApi<{ items: Array<{ channel: string; account: string; webhookUrl: string | null }> }>('GET', '/_sandbox/accounts');
      expect(accounts.body.items.find((a) => a.channel === 'viber' && a.account === AUTH_TOKEN)).toMatchObject({ webhookUrl: `${s.url}/webhooks/${channelId}` });
      // The `webhook` check was stored as received but produced nothing in any timeline.
      const events = await s.store.db.selectFrom('inbound_events').select(['body', 'status']).where('channel_id', '=', channelId).execute();
      expect(events.some((e) => e.body.includes('"event":"webhook"'))).toBe(true);
    });

    it('is listed with the auth token masked, and passes the connection test', async () => {
      const list = await s.api<{ items: Array<{ id: string; kind: string; config: Record<string, string> }> }>('GET', '/api/v1/channels');
      const listed = list.body.items.find((c) => c.id === channelId)!;
      expect(listed).toMatchObject({ kind: 'viber', config: { senderName: 'Bodega Marta', apiBaseUrl: s.sandbox.url } });
      expect(listed.config.authToken).toMatch(/^••••/);
      expect(JSON.stringify(list.body)).not.toContain(AUTH_TOKEN);
      const test = await s.api<{ ok: boolean; detail?: string }>('POST', `/api/v1/channels/${channelId}/test`);
      expect(test.body).toEqual({ ok: true, detail: 'Lifeline Sandbox' });
    });

    it('reports a refused token as auth in the connection test', async () => {
      await fault({ mode: 'auth' });
      const test = await s.api<{ ok: boolean; errorCategory?: string; explanation?: string }>('POST', `/api/v1/channels/${channelId}/test`);
      expect(test.body).toMatchObject({ ok: false, errorCategory: 'auth' });
      expect(test.body.explanation).toMatch(/authentication token/);
    });

    it('refuses a channel whose webhook Viber cannot set', async () => {
      await fault({ mode: 'down' });
      const res = await s.api<{ error: { code: string } }>('POST', '/api/v1/channels', { kind: 'viber', name: 'down', config: { authToken: 'another-viber-token-123', apiBaseUrl: s.sandbox.url } });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('provider_refused');
    });

    it('sends a message: the exact 64-bit message token comes back and the sandbox saw it exactly once', async () => {
      const { providerMessageId } = await send({ text: 'Hola Marta, tu pedido está listo' });
      expect(providerMessageId).toMatch(/^\d{19}$/);
      expect(BigInt(providerMessageId)).toBeGreaterThan(2n ** 53n);
      const sent = await s.sandboxApi<{ items: SentItem[] }>('GET', '/_sandbox/sent?channel=viber');
      expect(sent.body.items).toEqual([expect.objectContaining({ providerMessageId, to: 'vbCustomer01+AbC==', text: 'Hola Marta, tu pedido está listo' })]);
    });

    it('uses the bot name from Viber as sender when none is configured', async () => {
      const created = await s.createChannel('viber', { authToken: 'second-viber-token-abcdef', apiBaseUrl: s.sandbox.url }, 'unnamed');
      const channel = (await s.data.channels.get(created.id))!;
      const { providerMessageId } = await adapter.send(s.app.channels.contextFor(channel), { messageId: 'm-unnamed', to: 'vbOther', text: 'hi' });
      expect(providerMessageId).toMatch(/^\d+$/);
      expect((await s.api('DELETE', `/api/v1/channels/${created.id}`)).status).toBe(204);
    });

    it.each([
      [{ mode: 'down' }, 'transient', 'http_503'],
      [{ mode: 'down', connection: 'reset' }, 'transient', null],
      [{ mode: 'flaky', errorRate: 1, timeoutShare: 0 }, 'transient', 'http_500'],
      [{ mode: 'rate_limited' }, 'rate_limited', '12'],
      [{ mode: 'banned' }, 'account_restricted', '7'],
      [{ mode: 'reject_recipient' }, 'invalid_recipient', '5'],
      [{ mode: 'blocked' }, 'recipient_blocked', '6'],
      [{ mode: 'auth' }, 'auth', '2'],
    ])('classifies the sandbox fault %j as %s', async (faultBody, category, code) => {
      await fault(faultBody);
      const error = await sendError();
      expect(error.category).toBe(category);
      expect(error.providerCode).toBe(code);
      expect(error.explanation.length).toBeGreaterThan(30);
      if (category === 'rate_limited') expect(error.retryAfterSec).toBe(30);
      expect((await s.sandboxApi<{ items: SentItem[] }>('GET', '/_sandbox/sent?channel=viber')).body.items).toEqual([]);
    });

    it('puts inbound messages in the right contact by Viber id, and a second one in the same contact', async () => {
      const viberId = 'vbMarta7+Qw9z==';
      const first = await customerWrites(viberId, 'Hola, ¿abren hoy?');
      const stored = await inboundMessage(first);
      const [contact, ...others] = await findContacts(viberId);
      expect(others).toEqual([]);
      expect(contact?.id).toBe(stored.contactId);
      expect(contact?.name).toBe('Marta');
      expect(contact?.identities).toEqual([expect.objectContaining({ kind: 'viber', value: viberId, consent: 'granted' })]);
      const second = await customerWrites(viberId, 'Gracias');
      expect((await inboundMessage(second)).contactId).toBe(contact?.id);
      expect((await timeline(contact!.id)).map((i) => [i.direction, i.channel, i.body, i.providerMessageId])).toEqual([
        ['inbound', 'viber', 'Gracias', second],
        ['inbound', 'viber', 'Hola, ¿abren hoy?', first],
      ]);
    });

    it('rejects a missing or wrong signature with 403 and stores nothing; a malformed body with a valid signature gets 400', async () => {
      await s.app.channels.idle();
      const before = { events: await countRows('inbound_events'), messages: await countRows('messages') };
      const body = messageBody('5000000000000000001', 'vbForger', 'forged');
      expect((await postWebhook(body, {})).status).toBe(403);
      expect((await postWebhook(body, { 'x-viber-content-signature': sign(body, 'another-token') })).status).toBe(403);
      expect((await postWebhook(body, { 'X-Viber-Content-Signature': sign(`${body} `) })).status).toBe(403);
      for (const malformed of ['{"event":', '{"event":"message","message_token":1}']) {
        expect((await postWebhook(malformed, { 'x-viber-content-signature': sign(malformed) })).status).toBe(400);
      }
      expect(await countRows('inbound_events')).toBe(before.events);
      expect(await countRows('messages')).toBe(before.messages);
      expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
    });

    it('stores a callback delivered twice once, keeping its 64-bit token exact', async () => {
      const token = '5000000000000000123';
      const body = messageBody(token, 'vbTwice', 'duplicated?');
      const headers = { 'x-viber-content-signature': sign(body) };
      expect((await postWebhook(body, headers)).status).toBe(200);
      expect((await postWebhook(body, headers)).status).toBe(200);
      const spaced = body.replace('"silent":false', '"silent": false');
      expect((await postWebhook(spaced, { 'x-viber-content-signature': sign(spaced) })).status).toBe(200);
      const stored = await inboundMessage(token);
      await s.app.channels.idle();
      expect((await timeline(stored.contactId)).filter((i) => i.providerMessageId === token)).toHaveLength(1);
    });

    it('moves a sent message to delivered and then read from Viber\'s receipts', async () => {
      const contact = await s.data.contacts.create({ name: 'Receipts', identities: [{ kind: 'viber', value: 'vbReceipts1' }] }, 'test');
      const { providerMessageId } = await send({ to: 'vbReceipts1' });
      await s.data.messages.append({ contactId: contact.id, direction: 'outbound', channel: 'viber', channelId, body: 'Your order is ready', providerMessageId, status: 'sent' });
      await outboundStatus(providerMessageId, 'read');
      const [item] = (await timeline(contact.id)).filter((i) => i.providerMessageId === providerMessageId);
      expect(item).toMatchObject({ status: 'read' });
      const log = await s.sandboxApi<{ items: Array<{ kind: string; outcome: string }> }>('GET', '/_sandbox/webhooks/log?channel=viber');
      expect(log.body.items.map((e) => [e.kind, e.outcome])).toEqual([['status:delivered', 'delivered'], ['status:seen', 'delivered']]);
    });

    it('marks an undelivered message failed with category and Viber\'s description', async () => {
      await fault({ receipts: 'fail' });
      const contact = await s.data.contacts.create({ name: 'Failed', identities: [{ kind: 'viber', value: 'vbFailed1' }] }, 'test');
      const { providerMessageId } = await send({ to: 'vbFailed1' });
      await s.data.messages.append({ contactId: contact.id, direction: 'outbound', channel: 'viber', channelId, body: 'Your order is ready', providerMessageId, status: 'sent' });
      const failed = await outboundStatus(providerMessageId, 'failed');
      expect(failed.errorCategory).toBe('unknown');
      expect(failed.errorExplanation).toContain('Receiver is not reachable');
    });

    it('revokes consent on unsubscribed and grants it again on subscribed; conversation_started adds nothing', async () => {
      const viberId = 'vbSubscriber9';
      const { contactId } = await inboundMessage(await customerWrites(viberId, 'Hola'));
      const consentOf = async () => (await s.data.contacts.get(contactId))!.identities.find((i) => i.kind === 'viber' && i.value === viberId)!;
      const callback = async (body: string) => expect((await postWebhook(body, { 'x-viber-content-signature': sign(body) })).status).toBe(200);

      await callback(`{"event":"unsubscribed","timestamp":1700000001000,"chat_hostname":"SN-CHAT-05_","user_id":"${viberId}","message_token":5000000000000000201}`);
      const revoked = await s.waitFor(async () => {
        await s.app.channels.idle();
        const identity = await consentOf();
        return identity.consent === 'revoked' && identity;
      }, 'consent revoked');
      expect(revoked.consentSource).toBe('viber:unsubscribed');

      const messagesBefore = await countRows('messages');
      await callback(`{"event":"conversation_started","timestamp":1700000002000,"message_token":5000000000000000202,"type":"open","user":{"id":"${viberId}","name":"Marta"},"subscribed":false}`);
      await s.app.channels.idle();
      expect((await consentOf()).consent).toBe('revoked');
      expect(await countRows('messages')).toBe(messagesBefore);

      await callback(`{"event":"subscribed","timestamp":1700000003000,"user":{"id":"${viberId}","name":"Marta"},"message_token":5000000000000000203}`);
      const granted = await s.waitFor(async () => {
        await s.app.channels.idle();
        const identity = await consentOf();
        return identity.consent === 'granted' && identity;
      }, 'consent granted');
      expect(granted.consentSource).toBe('viber:subscribed');
    });
  });
});
