// Messenger and Instagram channel conformance against the provider sandbox over real HTTP, on SQLite and
// PostgreSQL: setup and test, sending, fault modes, inbound into the right contact, signatures, duplicates,
// echoes, and delivery/read receipts as each channel reports them (Messenger's reads by watermark).
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { adapterFor } from '../../src/channels/registry.js';
import { type OutboundMessage, ProviderError } from '../../src/channels/types.js';
import { DATABASES } from '../support/databases.js';
import { type LiveServer, providerErrorOf, startLiveServer } from '../support/live-server.js';

interface Identity { kind: string; value: string }
interface Contact { id: string; name: string | null; identities: Identity[] }
interface TimelineItem { body: string; direction: string; channel: string | null; providerMessageId: string | null }
interface SentItem { channel: string; to: string; text: string; providerMessageId: string }

const CHANNELS = [
  // Meta reports Messenger deliveries by message id and reads by watermark. Instagram reports reads by id.
  { kind: 'messenger', object: 'page', pageId: '109876543210987', finalStatus: 'read' },
  { kind: 'instagram', object: 'instagram', pageId: '109876543210999', finalStatus: 'read' },
] as const;

const CASES = DATABASES.flatMap((db) => CHANNELS.map((channel) => ({ ...db, channel, label: `${channel.kind} on ${db.kind}` })));

describe.each(CASES)('$label', ({ kind, skip, channel }) => {
  describe.skipIf(skip)('', () => {
    const appSecret = `${channel.kind}-app-secret-91`;
    const pageAccessToken = `EAAPage${channel.kind}Token0123456789`;
    const verifyToken = `${channel.kind}-verify-55`;
    let s: LiveServer;
    let channelId: string;
    let webhookUrl: string;
    const adapter = adapterFor(channel.kind)!;

    const sign = (body: string, secret = appSecret) => `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
    const inboundBody = (psid: string, mid: string, text: string, extra: Record<string, unknown> = {}) =>
      JSON.stringify({
        object: channel.object,
        entry: [{ id: channel.pageId, time: Date.now(), messaging: [{ sender: { id: psid }, recipient: { id: channel.pageId }, timestamp: Date.now(), message: { mid, text, ...extra } }] }],
      });
    const ctx = async () => s.app.channels.contextFor((await s.data.channels.get(channelId))!);
    const send = async (extra: Partial<OutboundMessage> = {}) =>
      adapter.send(await ctx(), { messageId: `msg-${Math.random()}`, to: '24680135792468', text: 'Your order shipped', ...extra });
    const sendError = (): Promise<ProviderError> => providerErrorOf(send());
    const fault = (body: Record<string, unknown>) => s.fault(channel.kind, body);
    const postWebhook = (body: string, headers: Record<string, string>) => s.postWebhook(webhookUrl, body, headers);
    const countRows = (table: 'inbound_events' | 'messages') => s.countRows(table);
    const findContacts = (query: string) => s.findContacts<Contact>(query);
    const timeline = (contactId: string) => s.timeline<TimelineItem>(contactId);
    const customerWrites = async (from: string, text: string) => {
      const res = await s.sandboxApi<{ providerMessageId: string; webhook: { status: number } }>('POST', '/_sandbox/customers/messages', { channel: channel.kind, from, text });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.webhook.status).toBe(200);
      return res.body.providerMessageId;
    };
    const inboundMessage = (providerMessageId: string) =>
      s.waitFor(async () => s.data.messages.findByProviderId(channelId, 'inbound', providerMessageId), `inbound ${providerMessageId}`);

    beforeAll(async () => {
      s = await startLiveServer({ kind });
      const created = await s.createChannel(channel.kind, { pageId: channel.pageId, pageAccessToken, appSecret, verifyToken, apiBaseUrl: s.sandbox.url });
      channelId = created.id;
      webhookUrl = created.webhookUrl;
      const account = await s.sandboxApi('PUT', `/_sandbox/accounts/${channel.kind}`, {
        account: channel.pageId, webhookUrl, secret: appSecret, accessToken: pageAccessToken, businessHandle: 'Tienda Lifeline',
      });
      expect(account.status).toBe(200);
    });
    afterAll(async () => {
      await s?.close();
    });
    beforeEach(async () => {
      await s.sandboxApi('POST', '/_sandbox/reset');
    });

    it('is created through the API, listed with secrets masked, and passes the connection test; auth fault fails it', async () => {
      const list = await s.api<{ items: Array<{ id: string; kind: string; config: Record<string, string> }> }>('GET', '/api/v1/channels');
      const listed = list.body.items.find((c) => c.id === channelId)!;
      expect(listed.kind).toBe(channel.kind);
      expect(listed.config.pageId).toBe(channel.pageId);
      for (const field of ['pageAccessToken', 'appSecret', 'verifyToken']) expect(listed.config[field]).toMatch(/^••••/);
      for (const secret of [pageAccessToken, appSecret, verifyToken]) expect(JSON.stringify(list.body)).not.toContain(secret);
      const ok = await s.api<{ ok: boolean; detail?: string }>('POST', `/api/v1/channels/${channelId}/test`);
      expect(ok.body.ok).toBe(true);
      expect(ok.body.detail).toMatch(/Tienda Lifeline/);
      await fault({ mode: 'auth' });
      const refused = await s.api<{ ok: boolean; errorCategory?: string }>('POST', `/api/v1/channels/${channelId}/test`);
      expect(refused.body).toMatchObject({ ok: false, errorCategory: 'auth' });
    });

    it('answers the subscription handshake only with the right verify token', async () => {
      const url = (token: string) => `${webhookUrl}?hub.mode=subscribe&hub.challenge=424242&hub.verify_token=${encodeURIComponent(token)}`;
      const ok = await fetch(url(verifyToken));
      expect([ok.status, await ok.text()]).toEqual([200, '424242']);
      expect((await fetch(url('nope'))).status).toBe(403);
    });

    it('sends to the recipient id: the provider id comes back and the sandbox saw it exactly once', async () => {
      const { providerMessageId } = await send({ text: 'Hola, ya salió tu pedido' });
      expect(providerMessageId).toMatch(/^m_/);
      const sent = await s.sandboxApi<{ items: SentItem[] }>('GET', `/_sandbox/sent?channel=${channel.kind}`);
      expect(sent.body.items).toEqual([expect.objectContaining({ providerMessageId, to: '24680135792468', text: 'Hola, ya salió tu pedido' })]);
    });

    it('classifies every sandbox fault by Meta\'s code', async () => {
      const cases: Array<[Record<string, unknown>, string, string]> = [
        [{ mode: 'down' }, 'transient', '2'],
        [{ mode: 'down', connection: 'reset' }, 'transient', 'network'],
        [{ mode: 'flaky', errorRate: 1, timeoutShare: 0 }, 'transient', '1200'],
        [{ mode: 'banned' }, 'account_restricted', '368/1390008'],
        [{ mode: 'reject_recipient' }, 'invalid_recipient', '100/2018001'],
        [{ mode: 'blocked' }, 'recipient_blocked', '551/1545041'],
        [{ mode: 'window' }, 'policy_window', '10/2018278'],
        [{ mode: 'auth' }, 'auth', '190'],
      ];
      for (const [config, category, code] of cases) {
        await fault(config);
        const error = await sendError();
        expect([config.mode, error.category, error.providerCode], error.explanation).toEqual([config.mode, category, code]);
        expect(error.explanation).toMatch(new RegExp(channel.kind, 'i'));
      }
      await fault({ mode: 'rate_limited', retryAfterSec: 4 });
      expect(await sendError()).toMatchObject({ category: 'rate_limited', retryAfterSec: 4, providerCode: '613' });
      expect((await s.sandboxApi<{ items: SentItem[] }>('GET', `/_sandbox/sent?channel=${channel.kind}`)).body.items).toEqual([]);
    });

    it('puts inbound messages in the sender\'s contact with the right identity; the second joins the same contact', async () => {
      const psid = `${channel.kind === 'messenger' ? 7 : 8}123450000000001`;
      const first = await customerWrites(psid, '¿Tienen talla M?');
      const one = await inboundMessage(first);
      const second = await customerWrites(psid, '¿Y en azul?');
      const two = await inboundMessage(second);
      expect(two.contactId).toBe(one.contactId);
      const contacts = await findContacts(psid);
      expect(contacts.map((c) => c.id)).toEqual([one.contactId]);
      expect(contacts[0]!.identities).toEqual([expect.objectContaining({ kind: channel.kind, value: psid })]);
      expect((await timeline(one.contactId)).map((i) => [i.direction, i.channel, i.body]).sort()).toEqual([
        ['inbound', channel.kind, '¿Tienen talla M?'],
        ['inbound', channel.kind, '¿Y en azul?'],
      ]);
    });

    it('rejects unsigned and wrongly signed webhooks without storing anything; malformed bodies get 400', async () => {
      await s.app.channels.idle();
      const before = [await countRows('inbound_events'), await countRows('messages')];
      const body = inboundBody('5550001', 'm_FORGED', 'forged');
      expect((await postWebhook(body, {})).status).toBe(401);
      expect((await postWebhook(body, { 'x-hub-signature-256': sign(body, 'wrong-secret') })).status).toBe(403);
      const malformed = '{"object":"page","entry":[';
      expect((await postWebhook(malformed, { 'x-hub-signature-256': sign(malformed) })).status).toBe(400);
      expect([await countRows('inbound_events'), await countRows('messages')]).toEqual(before);
      expect((await postWebhook(body, { 'x-hub-signature-256': sign(body) })).status).toBe(200);
      await inboundMessage('m_FORGED');
    });

    it('stores a repeated delivery once, and ignores echoes of our own messages', async () => {
      const body = inboundBody('5550002', 'm_DUP', 'only once');
      const repeat = body.replace('"only once"', '"only once" ');
      for (const b of [body, body, repeat]) expect((await postWebhook(b, { 'x-hub-signature-256': sign(b) })).status).toBe(200);
      const message = await inboundMessage('m_DUP');
      const echo = inboundBody('5550002', 'm_ECHO', 'sent by us', { is_echo: true });
      expect((await postWebhook(echo, { 'x-hub-signature-256': sign(echo) })).status).toBe(200);
      await s.app.channels.idle();
      const items = await timeline(message.contactId);
      expect(items.map((i) => i.providerMessageId)).toEqual(['m_DUP']);
    });

    it(`moves a sent message to ${channel.finalStatus} through the channel's receipts`, async () => {
      const psid = `${channel.kind === 'messenger' ? 7 : 8}123450000000009`;
      const first = await inboundMessage(await customerWrites(psid, 'hola'));
      const { providerMessageId } = await send({ to: psid, text: 'tracking' });
      await s.data.messages.append({ contactId: first.contactId, direction: 'outbound', channel: channel.kind, channelId, body: 'tracking', providerMessageId, status: 'sent' });
      await s.waitFor(async () => {
        const m = await s.data.messages.findByProviderId(channelId, 'outbound', providerMessageId);
        return m?.status === channel.finalStatus;
      }, `status ${channel.finalStatus}`);
    });

    // Instagram names the message it reports read: no watermark to apply.
    if (channel.kind === 'messenger') it('applies a read watermark to the messages sent up to it, and not to later ones', async () => {
      const psid = '7123450000000777';
      const { contactId } = await inboundMessage(await customerWrites(psid, 'hola'));
      const now = Date.now();
      const outbound = (mid: string, createdAt: number) =>
        s.data.messages.append({ contactId, direction: 'outbound', channel: channel.kind, channelId, body: mid, providerMessageId: mid, status: 'delivered', createdAt });
      await outbound('m_BEFORE', now - 60_000);
      await outbound('m_AFTER', now);
      const read = JSON.stringify({
        object: 'page',
        entry: [{ id: channel.pageId, time: now, messaging: [{ sender: { id: psid }, recipient: { id: channel.pageId }, timestamp: now, read: { watermark: now - 30_000 } }] }],
      });
      expect((await postWebhook(read, { 'x-hub-signature-256': sign(read) })).status).toBe(200);
      await s.app.channels.idle();
      const status = async (mid: string) => (await s.data.messages.findByProviderId(channelId, 'outbound', mid))?.status;
      expect([await status('m_BEFORE'), await status('m_AFTER')]).toEqual(['read', 'delivered']);
    });
  });
});
