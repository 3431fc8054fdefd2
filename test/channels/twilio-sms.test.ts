// Twilio SMS channel conformance against the provider sandbox over real HTTP, on SQLite and PostgreSQL: channel
// setup and test, sending, every fault mode, inbound SMS into the right contact, X-Twilio-Signature rejection,
// duplicate webhooks, delivery receipts, and STOP/START changing the phone's consent.
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { adapterFor } from '../../src/channels/registry.js';
import { type OutboundMessage, ProviderError } from '../../src/channels/types.js';
import { DATABASES } from '../support/databases.js';
import { type LiveServer, providerErrorOf, startLiveServer } from '../support/live-server.js';

interface Identity { kind: string; value: string; consent: string; consentSource: string | null }
interface Contact { id: string; identities: Identity[] }
interface TimelineItem { body: string; direction: string; channel: string | null; providerMessageId: string | null; status: string; errorCategory: string | null; errorExplanation: string | null }
interface SentItem { channel: string; to: string; text: string; providerMessageId: string }

const ACCOUNT_SID = `AC${'5e'.repeat(16)}`;
const AUTH_TOKEN = 'twilio-auth-token-4f2a9c';
const FROM = '+15017122661';

/** Twilio's algorithm, written out again here so the test does not trust the code it checks. */
function sign(url: string, body: string, token = AUTH_TOKEN): string {
  const params = [...new URLSearchParams(body)].sort(([a, av], [b, bv]) => (a === b ? av.localeCompare(bv) : a < b ? -1 : 1));
  const data = url + params.map(([k, v]) => k + v).join('');
  return createHmac('sha1', token).update(data, 'utf8').digest('base64');
}

const inboundForm = (from: string, sid: string, text: string) =>
  new URLSearchParams({ MessageSid: sid, SmsSid: sid, AccountSid: ACCOUNT_SID, From: from, To: FROM, Body: text, NumMedia: '0', SmsStatus: 'received', ApiVersion: '2010-04-01' }).toString();

describe.each(DATABASES)('twilio-sms channel on $kind', ({ kind, skip }) => {
  describe.skipIf(skip)('', () => {
    let s: LiveServer;
    let channelId: string;
    let webhookUrl: string;
    const adapter = adapterFor('twilio-sms')!;

    const ctx = async () => s.app.channels.contextFor((await s.data.channels.get(channelId))!);
    const send = async (extra: Partial<OutboundMessage> = {}) =>
      adapter.send(await ctx(), { messageId: `msg-${Math.random()}`, to: '+51987654321', text: 'Your order is ready', ...extra });
    const sendError = (extra: Partial<OutboundMessage> = {}): Promise<ProviderError> => providerErrorOf(send(extra));
    const fault = (body: Record<string, unknown>) => s.fault('twilio-sms', body);
    const postWebhook = (body: string, headers: Record<string, string>) => s.postWebhook(webhookUrl, body, headers, 'application/x-www-form-urlencoded');
    const countRows = (table: 'inbound_events' | 'messages') => s.countRows(table);
    const findContacts = (query: string) => s.findContacts<Contact>(query);
    const timeline = (contactId: string) => s.timeline<TimelineItem>(contactId);
    const customerWrites = async (from: string, text: string) => {
      const res = await s.sandboxApi<{ providerMessageId: string; webhook: { status: number } }>('POST', '/_sandbox/customers/messages', { channel: 'twilio-sms', from, text });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.webhook.status).toBe(200);
      return res.body.providerMessageId;
    };
    const inboundMessage = (providerMessageId: string) =>
      s.waitFor(async () => s.data.messages.findByProviderId(channelId, 'inbound', providerMessageId), `inbound ${providerMessageId}`);

    beforeAll(async () => {
      s = await startLiveServer({ kind });
      const created = await s.createChannel('twilio-sms', { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, from: FROM, apiBaseUrl: s.sandbox.url });
      channelId = created.id;
      webhookUrl = created.webhookUrl;
      // What the business does in the Twilio Console: the number's "A message comes in" webhook.
      const account = await s.sandboxApi('PUT', '/_sandbox/accounts/twilio-sms', { account: ACCOUNT_SID, webhookUrl, secret: AUTH_TOKEN, businessHandle: FROM });
      expect(account.status).toBe(200);
    });
    afterAll(async () => {
      await s?.close();
    });
    beforeEach(async () => {
      await s.sandboxApi('POST', '/_sandbox/reset');
    });

    it('is created through the API, listed with the auth token masked, and passes the connection test', async () => {
      const list = await s.api<{ items: Array<{ id: string; kind: string; config: Record<string, string>; webhookUrl: string }> }>('GET', '/api/v1/channels');
      const listed = list.body.items.find((c) => c.id === channelId)!;
      expect(listed).toMatchObject({ kind: 'twilio-sms', webhookUrl: `${s.url}/webhooks/${channelId}` });
      expect(listed.config).toMatchObject({ accountSid: ACCOUNT_SID, from: FROM });
      expect(listed.config.authToken).toMatch(/^••••/);
      expect(JSON.stringify(list.body)).not.toContain(AUTH_TOKEN);
      const test = await s.api<{ ok: boolean; detail?: string }>('POST', `/api/v1/channels/${channelId}/test`);
      expect(test.body).toMatchObject({ ok: true });
      // The sandbox names the account after the business handle registered in its console.
      expect(test.body.detail).toBe(`Connected to Twilio account "${FROM}".`);
    });

    it('takes a setting changed, then cleared with null, and keeps the auth token sent back masked', async () => {
      const url = `/api/v1/channels/${channelId}`;
      type View = { config: Record<string, string> };
      const masked = (await s.api<View>('GET', url)).body.config.authToken;
      const set = await s.api<View>('PATCH', url, { config: { messagingServiceSid: 'MG0123456789abcdef0123456789abcdef', authToken: masked } });
      expect(set.status, JSON.stringify(set.body)).toBe(200);
      expect(set.body.config).toMatchObject({ messagingServiceSid: 'MG0123456789abcdef0123456789abcdef', authToken: masked });
      const cleared = await s.api<View>('PATCH', url, { config: { messagingServiceSid: null } });
      expect(cleared.status, JSON.stringify(cleared.body)).toBe(200);
      expect(cleared.body.config).not.toHaveProperty('messagingServiceSid');
      // The stored token still works: the connection test signs in with it.
      expect((await s.api<{ ok: boolean }>('POST', `${url}/test`)).body.ok).toBe(true);
      // A required setting cannot be cleared: the answer names it, and nothing changes.
      const refused = await s.api<{ error: { message: string } }>('PATCH', url, { config: { from: null } });
      expect(refused.status).toBe(400);
      expect(JSON.stringify(refused.body)).toMatch(/from/);
      expect((await s.api<View>('GET', url)).body.config.from).toBe(FROM);
    });

    it('reports refused credentials as auth, and a suspended account as account_restricted, in the connection test', async () => {
      await fault({ mode: 'auth' });
      const auth = await s.api<{ ok: boolean; errorCategory?: string; explanation?: string }>('POST', `/api/v1/channels/${channelId}/test`);
      expect(auth.body).toMatchObject({ ok: false, errorCategory: 'auth' });
      expect(auth.body.explanation).toMatch(/Auth Token/);
      await fault({ mode: 'banned' });
      const banned = await s.api<{ ok: boolean; errorCategory?: string }>('POST', `/api/v1/channels/${channelId}/test`);
      expect(banned.body).toMatchObject({ ok: false, errorCategory: 'account_restricted' });
    });

    it('refuses settings that are not Twilio credentials', async () => {
      for (const config of [
        { accountSid: 'not-a-sid', authToken: AUTH_TOKEN, from: FROM },
        { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, from: '987654321' },
        { accountSid: ACCOUNT_SID, from: FROM },
      ]) {
        const res = await s.api<{ error: { code: string } }>('POST', '/api/v1/channels', { kind: 'twilio-sms', name: 'bad', config });
        expect(res.status).toBe(400);
        expect(res.body.error.code).toBe('invalid_channel_config');
      }
    });

    it('sends an SMS: the SM sid comes back and the sandbox saw it exactly once', async () => {
      const { providerMessageId } = await send({ text: 'Hola Ana, tu pedido está listo' });
      expect(providerMessageId).toMatch(/^SM[0-9a-f]{32}$/);
      const sent = await s.sandboxApi<{ items: SentItem[] }>('GET', '/_sandbox/sent?channel=twilio-sms');
      expect(sent.body.items).toEqual([expect.objectContaining({ providerMessageId, to: '+51987654321', text: 'Hola Ana, tu pedido está listo' })]);
    });

    it('sends attachments as MMS media', async () => {
      const { providerMessageId } = await send({ text: 'Your receipt', attachments: [{ url: 'https://shop.example/receipt.png', contentType: 'image/png' }] });
      expect(providerMessageId).toMatch(/^MM/);
    });

    it.each([
      [{ mode: 'down' }, 'transient', '20503'],
      [{ mode: 'down', connection: 'reset' }, 'transient', 'network'],
      [{ mode: 'flaky', errorRate: 1, timeoutShare: 0 }, 'transient', '20500'],
      [{ mode: 'rate_limited', retryAfterSec: 3 }, 'rate_limited', '20429'],
      [{ mode: 'banned' }, 'account_restricted', '30002'],
      [{ mode: 'reject_recipient' }, 'invalid_recipient', '21211'],
      [{ mode: 'blocked' }, 'recipient_blocked', '21610'],
      [{ mode: 'auth' }, 'auth', '20003'],
    ])('classifies the sandbox fault %j as %s', async (faultBody, category, code) => {
      await fault(faultBody);
      const error = await sendError();
      expect(error.category).toBe(category);
      expect(error.providerCode).toBe(code);
      expect(error.explanation.length).toBeGreaterThan(30);
      if (category === 'rate_limited') expect(error.retryAfterSec).toBe(3);
      expect((await s.sandboxApi<{ items: SentItem[] }>('GET', '/_sandbox/sent?channel=twilio-sms')).body.items).toEqual([]);
    });

    it('puts inbound SMS in the right contact, by phone, and a second SMS in the same contact', async () => {
      const first = await customerWrites('+51912345678', 'Hola, ¿a qué hora abren?');
      const stored = await inboundMessage(first);
      const [contact, ...others] = await findContacts('912345678');
      expect(others).toEqual([]);
      expect(contact?.id).toBe(stored.contactId);
      expect(contact?.identities).toEqual([expect.objectContaining({ kind: 'phone', value: '+51912345678', consent: 'granted' })]);
      const second = await customerWrites('+51912345678', 'Gracias');
      expect((await inboundMessage(second)).contactId).toBe(contact?.id);
      const items = await timeline(contact!.id);
      expect(items.map((i) => [i.direction, i.channel, i.body])).toEqual([
        ['inbound', 'twilio-sms', 'Gracias'],
        ['inbound', 'twilio-sms', 'Hola, ¿a qué hora abren?'],
      ]);
    });

    it('acknowledges inbound SMS with empty TwiML', async () => {
      const body = inboundForm('+51911111111', `SM${'a1'.repeat(16)}`, 'hola');
      const res = await postWebhook(body, { 'x-twilio-signature': sign(webhookUrl, body) });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/xml/);
      expect(await res.text()).toContain('<Response/>');
      await inboundMessage(`SM${'a1'.repeat(16)}`);
    });

    it('rejects a missing or wrong signature with 403 and stores nothing; a malformed body with a valid signature gets 400', async () => {
      await s.app.channels.idle();
      const before = { events: await countRows('inbound_events'), messages: await countRows('messages') };
      const body = inboundForm('+51922222222', `SM${'b2'.repeat(16)}`, 'forged');
      expect((await postWebhook(body, {})).status).toBe(403);
      expect((await postWebhook(body, { 'x-twilio-signature': sign(webhookUrl, body, 'another-token') })).status).toBe(403);
      expect((await postWebhook(body, { 'x-twilio-signature': sign(`${webhookUrl}?x=1`, body) })).status).toBe(403);
      const malformed = 'Body=no+sid+or+sender';
      expect((await postWebhook(malformed, { 'x-twilio-signature': sign(webhookUrl, malformed) })).status).toBe(400);
      expect(await countRows('inbound_events')).toBe(before.events);
      expect(await countRows('messages')).toBe(before.messages);
      expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
    });

    it('stores a webhook delivered twice once', async () => {
      const sid = `SM${'c3'.repeat(16)}`;
      const body = inboundForm('+51933333333', sid, 'duplicated?');
      const headers = { 'x-twilio-signature': sign(webhookUrl, body) };
      expect((await postWebhook(body, headers)).status).toBe(200);
      expect((await postWebhook(body, headers)).status).toBe(200);
      // The same message with parameters in another order is a different body: dedupe by MessageSid catches it.
      const reordered = [...new URLSearchParams(body)].reverse().map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
      expect((await postWebhook(reordered, { 'x-twilio-signature': sign(webhookUrl, reordered) })).status).toBe(200);
      const stored = await inboundMessage(sid);
      await s.app.channels.idle();
      expect((await timeline(stored.contactId)).filter((i) => i.providerMessageId === sid)).toHaveLength(1);
    });

    it('moves a sent message to delivered from the signed status callbacks', async () => {
      const contact = await s.data.contacts.create({ phones: ['+51944444444'] }, 'test');
      const { providerMessageId } = await send({ to: '+51944444444' });
      const message = await s.data.messages.append({ contactId: contact.id, direction: 'outbound', channel: 'twilio-sms', channelId, body: 'Your order is ready', providerMessageId, status: 'sent' });
      await s.waitFor(async () => (await s.data.messages.findByProviderId(channelId, 'outbound', providerMessageId))?.status === 'delivered', 'delivered');
      const [item] = (await timeline(contact.id)).filter((i) => i.providerMessageId === providerMessageId);
      expect(item).toMatchObject({ status: 'delivered', errorCategory: null });
      expect(message.id).toBeTruthy();
    });

    it('marks an undelivered message failed with category and explanation', async () => {
      await fault({ receipts: 'fail' });
      const contact = await s.data.contacts.create({ phones: ['+51955555555'] }, 'test');
      const { providerMessageId } = await send({ to: '+51955555555' });
      await s.data.messages.append({ contactId: contact.id, direction: 'outbound', channel: 'twilio-sms', channelId, body: 'Your order is ready', providerMessageId, status: 'sent' });
      const failed = await s.waitFor(async () => {
        const m = await s.data.messages.findByProviderId(channelId, 'outbound', providerMessageId);
        return m?.status === 'failed' && m;
      }, 'failed');
      expect(failed.errorCategory).toBe('invalid_recipient');
      expect(failed.errorExplanation).toMatch(/could not be reached/);
    });

    it('revokes the phone consent on STOP, keeping the message, and grants it again on START', async () => {
      const phone = '+51966666666';
      const hello = await customerWrites(phone, 'Hola');
      const { contactId } = await inboundMessage(hello);
      const consentOf = async () => (await s.data.contacts.get(contactId))!.identities.find((i) => i.kind === 'phone' && i.value === phone)!;
      expect((await consentOf()).consent).toBe('granted');

      const stop = await customerWrites(phone, 'STOP');
      await inboundMessage(stop);
      const revoked = await s.waitFor(async () => {
        await s.app.channels.idle();
        const identity = await consentOf();
        return identity.consent === 'revoked' && identity;
      }, 'consent revoked');
      expect(revoked.consentSource).toBe('twilio-sms:STOP');
      expect((await timeline(contactId)).map((i) => i.body)).toContain('STOP');

      const start = await customerWrites(phone, 'start');
      await inboundMessage(start);
      const granted = await s.waitFor(async () => {
        await s.app.channels.idle();
        const identity = await consentOf();
        return identity.consent === 'granted' && identity;
      }, 'consent granted');
      expect(granted.consentSource).toBe('twilio-sms:START');
    });

    it('revokes consent for a first-time sender whose first message is BAJA', async () => {
      const phone = '+51977777777';
      const baja = await customerWrites(phone, 'Baja');
      const { contactId } = await inboundMessage(baja);
      await s.app.channels.idle();
      const identity = (await s.data.contacts.get(contactId))!.identities.find((i) => i.kind === 'phone')!;
      expect(identity).toMatchObject({ value: phone, consent: 'revoked', consentSource: 'twilio-sms:BAJA' });
    });
  });
});
