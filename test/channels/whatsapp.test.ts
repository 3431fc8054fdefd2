// WhatsApp channel conformance against the provider sandbox over real HTTP, on SQLite and PostgreSQL: channel
// setup and test, sending, every fault mode, inbound messages into the right contact, signatures, duplicates,
// delivery receipts, STOP, and one contact across WhatsApp and a phone number already on file.
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { adapterFor } from '../../src/channels/registry.js';
import { type OutboundMessage, ProviderError } from '../../src/channels/types.js';
import { DATABASES } from '../support/databases.js';
import { type LiveServer, providerErrorOf, startLiveServer } from '../support/live-server.js';

interface Identity { kind: string; value: string; consent: string }
interface Contact { id: string; name: string | null; identities: Identity[] }
interface TimelineItem { body: string; direction: string; channel: string | null; providerMessageId: string | null; status: string; attachments: unknown[] }
interface SentItem { channel: string; to: string; text: string; providerMessageId: string }

const PHONE_NUMBER_ID = '106540352242922';
const APP_SECRET = 'wa-app-secret-7f3c9a';
const ACCESS_TOKEN = 'EAAGwaSandboxToken0123456789';
const VERIFY_TOKEN = 'lifeline-verify-4821';

const sign = (body: string, secret = APP_SECRET) => `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;

/** A webhook body as Meta sends it for one inbound text message. */
function inboundBody(waId: string, id: string, text: string, name = 'Carla'): string {
  return JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [{ id: '102290129340398', changes: [{ field: 'messages', value: {
      messaging_product: 'whatsapp',
      metadata: { display_phone_number: '5117000000', phone_number_id: PHONE_NUMBER_ID },
      contacts: [{ profile: { name }, wa_id: waId }],
      messages: [{ from: waId, id, timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body: text } }],
    } }] }],
  });
}

describe.each(DATABASES)('whatsapp channel on $kind', ({ kind, skip }) => {
  describe.skipIf(skip)('', () => {
    let s: LiveServer;
    let channelId: string;
    let webhookUrl: string;
    const adapter = adapterFor('whatsapp')!;

    const ctx = async () => s.app.channels.contextFor((await s.data.channels.get(channelId))!);
    const send = async (extra: Partial<OutboundMessage> = {}) =>
      adapter.send(await ctx(), { messageId: `msg-${Math.random()}`, to: '+51987654321', text: 'Your order is ready', ...extra });
    const sendError = (extra: Partial<OutboundMessage> = {}): Promise<ProviderError> => providerErrorOf(send(extra));
    const fault = (body: Record<string, unknown>) => s.fault('whatsapp', body);
    const postWebhook = (body: string, headers: Record<string, string>) => s.postWebhook(webhookUrl, body, headers);
    const countRows = (table: 'inbound_events' | 'messages') => s.countRows(table);
    const findContact = async (query: string) => {
      const page = await s.api<{ items: Contact[] }>('GET', `/api/v1/contacts?query=${encodeURIComponent(query)}`);
      return page.body.items;
    };
    const timeline = (contactId: string) => s.timeline<TimelineItem>(contactId);
    const customerWrites = async (from: string, text: string, name?: string) => {
      const res = await s.sandboxApi<{ providerMessageId: string; webhook: { status: number } }>('POST', '/_sandbox/customers/messages', { channel: 'whatsapp', from, text, ...(name ? { name } : {}) });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.webhook.status).toBe(200);
      return res.body.providerMessageId;
    };
    const inboundMessage = (providerMessageId: string) =>
      s.waitFor(async () => s.data.messages.findByProviderId(channelId, 'inbound', providerMessageId), `inbound ${providerMessageId}`);

    beforeAll(async () => {
      s = await startLiveServer({ kind });
      const created = await s.createChannel('whatsapp', {
        phoneNumberId: PHONE_NUMBER_ID,
        accessToken: ACCESS_TOKEN,
        appSecret: APP_SECRET,
        verifyToken: VERIFY_TOKEN,
        apiBaseUrl: s.sandbox.url,
      });
      channelId = created.id;
      webhookUrl = created.webhookUrl;
      // What the business does in Meta's app dashboard: callback URL, app secret, token.
      const account = await s.sandboxApi('PUT', '/_sandbox/accounts/whatsapp', {
        account: PHONE_NUMBER_ID, webhookUrl, secret: APP_SECRET, accessToken: ACCESS_TOKEN, businessHandle: '+51 1 7000000',
      });
      expect(account.status).toBe(200);
    });
    afterAll(async () => {
      await s?.close();
    });
    beforeEach(async () => {
      await s.sandboxApi('POST', '/_sandbox/reset');
    });

    it('is created through the API, listed with secrets masked, and passes the connection test', async () => {
      const list = await s.api<{ items: Array<{ id: string; kind: string; config: Record<string, string>; webhookUrl: string }> }>('GET', '/api/v1/channels');
      const listed = list.body.items.find((c) => c.id === channelId)!;
      expect(listed.kind).toBe('whatsapp');
      expect(listed.webhookUrl).toBe(`${s.url}/webhooks/${channelId}`);
      expect(listed.config.phoneNumberId).toBe(PHONE_NUMBER_ID);
      expect(listed.config.graphVersion).toBe('v25.0');
      for (const secret of ['accessToken', 'appSecret', 'verifyToken'] as const) {
        expect(listed.config[secret]).toMatch(/^••••/);
        expect(JSON.stringify(list.body)).not.toContain({ accessToken: ACCESS_TOKEN, appSecret: APP_SECRET, verifyToken: VERIFY_TOKEN }[secret]);
      }
      const test = await s.api<{ ok: boolean; detail?: string }>('POST', `/api/v1/channels/${channelId}/test`);
      expect(test.body).toMatchObject({ ok: true });
      expect(test.body.detail).toContain('Lifeline Sandbox');
    });

    it('reports a refused token as an auth failure in the connection test', async () => {
      await fault({ mode: 'auth' });
      const test = await s.api<{ ok: boolean; errorCategory?: string; explanation?: string }>('POST', `/api/v1/channels/${channelId}/test`);
      expect(test.body).toMatchObject({ ok: false, errorCategory: 'auth' });
      expect(test.body.explanation).toMatch(/access token/);
    });

    it('refuses a config with missing keys', async () => {
      const res = await s.api<{ error: { code: string } }>('POST', '/api/v1/channels', { kind: 'whatsapp', name: 'bad', config: { phoneNumberId: PHONE_NUMBER_ID } });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('invalid_channel_config');
    });

    it('answers Meta\'s subscription handshake only with the right verify token', async () => {
      const url = (token: string) => `${webhookUrl}?hub.mode=subscribe&hub.challenge=987654321&hub.verify_token=${encodeURIComponent(token)}`;
      const ok = await fetch(url(VERIFY_TOKEN));
      expect(ok.status).toBe(200);
      expect(await ok.text()).toBe('987654321');
      expect((await fetch(url('wrong-token'))).status).toBe(403);
    });

    it('sends a message: the provider id comes back and the sandbox saw it exactly once, to the digits of the number', async () => {
      const { providerMessageId } = await send({ text: 'Hola Carla, tu pedido está listo' });
      expect(providerMessageId).toMatch(/^wamid\./);
      const sent = await s.sandboxApi<{ items: SentItem[] }>('GET', '/_sandbox/sent?channel=whatsapp');
      expect(sent.body.items).toEqual([expect.objectContaining({ providerMessageId, to: '51987654321', text: 'Hola Carla, tu pedido está listo' })]);
    });

    it('sends a template and a media link', async () => {
      await send({ template: { name: 'order_ready', language: 'es' } });
      await send({ text: 'Your invoice', attachments: [{ url: 'https://files.example/invoice.pdf', contentType: 'application/pdf', filename: 'invoice.pdf' }] });
      const sent = await s.sandboxApi<{ items: SentItem[] }>('GET', '/_sandbox/sent?channel=whatsapp');
      expect(sent.body.items.map((i) => i.text)).toEqual(['[template:order_ready]', 'Your invoice']);
    });

    it('classifies every sandbox fault by Meta\'s code', async () => {
      const cases: Array<[Record<string, unknown>, string, string]> = [
        [{ mode: 'down' }, 'transient', '131016'],
        [{ mode: 'down', connection: 'reset' }, 'transient', 'network'],
        [{ mode: 'flaky', errorRate: 1, timeoutShare: 0 }, 'transient', '131000'],
        [{ mode: 'banned' }, 'account_restricted', '131031'],
        [{ mode: 'reject_recipient' }, 'invalid_recipient', '131026'],
        // WhatsApp has no "blocked" code: blocks surface as undeliverable.
        [{ mode: 'blocked' }, 'invalid_recipient', '131026'],
        [{ mode: 'window' }, 'policy_window', '131047'],
        [{ mode: 'auth' }, 'auth', '190/463'],
      ];
      for (const [config, category, code] of cases) {
        await fault(config);
        const error = await sendError();
        expect([config.mode, error.category, error.providerCode], error.explanation).toEqual([config.mode, category, code]);
        expect(error.explanation.length).toBeGreaterThan(30);
      }
      await fault({ mode: 'rate_limited', retryAfterSec: 7 });
      expect(await sendError()).toMatchObject({ category: 'rate_limited', retryAfterSec: 7, providerCode: '130429' });
      await fault({ mode: 'window' });
      expect((await sendError()).explanation).toMatch(/more than 24 hours since the customer last wrote/);
      const sent = await s.sandboxApi<{ items: SentItem[] }>('GET', '/_sandbox/sent?channel=whatsapp');
      expect(sent.body.items).toEqual([]);
      // Outside the window WhatsApp still takes an approved template.
      await send({ template: { name: 'order_ready', language: 'es' } });
      const after = await s.sandboxApi<{ items: SentItem[] }>('GET', '/_sandbox/sent?channel=whatsapp');
      expect(after.body.items.map((i) => i.text)).toEqual(['[template:order_ready]']);
    });

    it('puts inbound messages in the sender\'s contact, with a whatsapp identity; a second message joins the same contact', async () => {
      const first = await customerWrites('+51912345678', 'Hola, ¿tienen delivery?', 'Rosa Quispe');
      await inboundMessage(first);
      const [contact, ...others] = await findContact('Rosa Quispe');
      expect(others).toEqual([]);
      expect(contact!.identities).toEqual([expect.objectContaining({ kind: 'whatsapp', value: '+51912345678', consent: 'granted' })]);
      const second = await customerWrites('+51912345678', '¿Hasta qué hora?');
      await inboundMessage(second);
      const items = await timeline(contact!.id);
      expect(items.map((i) => [i.direction, i.channel, i.body, i.providerMessageId])).toEqual(
        expect.arrayContaining([
          ['inbound', 'whatsapp', 'Hola, ¿tienen delivery?', first],
          ['inbound', 'whatsapp', '¿Hasta qué hora?', second],
        ]),
      );
      expect(items).toHaveLength(2);
      expect(await findContact('912345678')).toHaveLength(1);
    });

    it('joins a WhatsApp sender to the contact that already has the number as a phone', async () => {
      const created = await s.api<Contact>('POST', '/api/v1/contacts', { name: 'Luis Paredes', phones: ['+51987654321'] });
      expect(created.status).toBe(201);
      const id = await customerWrites('+51987654321', 'Soy Luis, escribo por WhatsApp', 'Luis WA');
      const message = await inboundMessage(id);
      expect(message.contactId).toBe(created.body.id);
      const contact = (await s.api<Contact>('GET', `/api/v1/contacts/${created.body.id}`)).body;
      expect(contact.name).toBe('Luis Paredes');
      expect(contact.identities.map((i) => [i.kind, i.value]).sort()).toEqual([['phone', '+51987654321'], ['whatsapp', '+51987654321']]);
      expect((await findContact('987654321')).map((c) => c.id)).toEqual([created.body.id]);
    });

    it('records STOP as revoked WhatsApp consent, and START as granted again', async () => {
      await inboundMessage(await customerWrites('+51955501234', 'Hola', 'Marta'));
      await customerWrites('+51955501234', ' stop ');
      const consent = async () => (await findContact('Marta'))[0]!.identities.find((i) => i.kind === 'whatsapp')!.consent;
      await s.waitFor(async () => (await consent()) === 'revoked', 'consent revoked');
      await customerWrites('+51955501234', 'START');
      await s.waitFor(async () => (await consent()) === 'granted', 'consent granted');
    });

    it('rejects unsigned and wrongly signed webhooks without storing anything, and malformed bodies with 400', async () => {
      await s.app.channels.idle();
      const before = [await countRows('inbound_events'), await countRows('messages')];
      const body = inboundBody('51933300001', 'wamid.FORGED1', 'forged');
      expect((await postWebhook(body, {})).status).toBe(401);
      expect((await postWebhook(body, { 'x-hub-signature-256': sign(body, 'not-the-app-secret') })).status).toBe(403);
      expect((await postWebhook(body, { 'x-hub-signature-256': 'sha256=00' })).status).toBe(403);
      const malformed = '{"object":"whatsapp_business_account","entry":';
      expect((await postWebhook(malformed, { 'x-hub-signature-256': sign(malformed) })).status).toBe(400);
      expect([await countRows('inbound_events'), await countRows('messages')]).toEqual(before);
      // Still serving: a correctly signed body goes through.
      expect((await postWebhook(body, { 'x-hub-signature-256': sign(body) })).status).toBe(200);
      await inboundMessage('wamid.FORGED1');
    });

    it('stores a repeated delivery once, even when the repeat differs in bytes', async () => {
      const body = inboundBody('51944400002', 'wamid.DUP1', 'only once', 'Dana');
      const repeat = body.replace('"only once"', ' "only once" ');
      for (const b of [body, body, repeat]) expect((await postWebhook(b, { 'x-hub-signature-256': sign(b) })).status).toBe(200);
      await s.app.channels.idle();
      const message = await inboundMessage('wamid.DUP1');
      expect((await timeline(message.contactId)).filter((i) => i.providerMessageId === 'wamid.DUP1')).toHaveLength(1);
    });

    it('moves a sent message to read through delivery receipts', async () => {
      const contact = (await s.api<Contact>('POST', '/api/v1/contacts', { name: 'Receipt Reader', phones: ['+51966600003'] })).body;
      const { providerMessageId } = await send({ to: '+51966600003', text: 'tracking' });
      await s.data.messages.append({ contactId: contact.id, direction: 'outbound', channel: 'whatsapp', channelId, body: 'tracking', providerMessageId, status: 'sent' });
      const read = await s.waitFor(async () => {
        const m = await s.data.messages.findByProviderId(channelId, 'outbound', providerMessageId);
        return m?.status === 'read' ? m : null;
      }, 'status read');
      expect(read.errorCategory).toBeNull();
    });

    it('marks a message failed with category and explanation when the receipt says so', async () => {
      await fault({ receipts: 'fail' });
      const contact = (await s.api<Contact>('POST', '/api/v1/contacts', { name: 'Failing Phone', phones: ['+51977700004'] })).body;
      const { providerMessageId } = await send({ to: '+51977700004', text: 'will fail' });
      await s.data.messages.append({ contactId: contact.id, direction: 'outbound', channel: 'whatsapp', channelId, body: 'will fail', providerMessageId, status: 'sent' });
      const failed = await s.waitFor(async () => {
        const m = await s.data.messages.findByProviderId(channelId, 'outbound', providerMessageId);
        return m?.status === 'failed' ? m : null;
      }, 'status failed');
      expect(failed.errorCategory).toBe('invalid_recipient');
      expect(failed.errorExplanation).toMatch(/could not be delivered to this number/);
    });
  });
});
