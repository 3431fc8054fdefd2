// Telegram channel conformance against the provider sandbox over real HTTP, on SQLite and PostgreSQL: setWebhook
// with the right URL and secret, connection test, sending, every fault mode, inbound messages into the right
// contact (webhook and long-polling modes), secret-token rejection, duplicate webhooks, /stop and /start.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { adapterFor } from '../../src/channels/registry.js';
import { webhookSecretOf } from '../../src/channels/telegram/config.js';
import { type OutboundMessage, ProviderError } from '../../src/channels/types.js';
import { DATABASES } from '../support/databases.js';
import { type LiveServer, providerErrorOf, startLiveServer } from '../support/live-server.js';

interface Identity { kind: string; value: string; consent: string; consentSource: string | null }
interface Contact { id: string; name: string | null; identities: Identity[] }
interface TimelineItem { body: string; direction: string; channel: string | null; providerMessageId: string | null; status: string }
interface SentItem { channel: string; to: string; text: string; providerMessageId: string }
interface SandboxAccount { channel: string; account: string; webhookUrl: string | null; hasSecret: boolean }

const BOT_TOKEN = '7000000001:AAE-webhook-bot_token';
const SECRET = 'lifeline-test_secret-42';

const update = (updateId: number, userId: number, messageId: number, text: string) =>
  JSON.stringify({
    update_id: updateId,
    message: { message_id: messageId, from: { id: userId, is_bot: false, first_name: 'Rosa', last_name: 'Ch' }, chat: { id: userId, type: 'private' }, date: 1_700_000_000, text },
  });

describe.each(DATABASES)('telegram channel on $kind', ({ kind, skip }) => {
  describe.skipIf(skip)('', () => {
    let s: LiveServer;
    let channelId: string;
    let webhookUrl: string;
    const adapter = adapterFor('telegram')!;

    const ctx = async (id = channelId) => s.app.channels.contextFor((await s.data.channels.get(id))!);
    const send = async (extra: Partial<OutboundMessage> = {}) =>
      adapter.send(await ctx(), { messageId: `msg-${Math.random()}`, to: '555000111', text: 'Your order is ready', ...extra });
    const sendError = (): Promise<ProviderError> => providerErrorOf(send());
    const fault = (body: Record<string, unknown>) => s.fault('telegram', body);
    const postWebhook = (body: string, headers: Record<string, string>) => s.postWebhook(webhookUrl, body, headers);
    const countRows = (table: 'inbound_events' | 'messages') => s.countRows(table);
    const findContacts = (query: string) => s.findContacts<Contact>(query);
    const timeline = (contactId: string) => s.timeline<TimelineItem>(contactId);
    const customerWrites = async (from: string, text: string, account = BOT_TOKEN) => {
      const res = await s.sandboxApi<{ providerMessageId: string; webhook?: { status: number }; queued?: boolean }>('POST', '/_sandbox/customers/messages', {
        channel: 'telegram',
        account,
        from,
        text,
        name: 'Rosa',
      });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body;
    };
    const inboundMessage = (providerMessageId: string, id = channelId, timeoutMs?: number) =>
      s.waitFor(async () => s.data.messages.findByProviderId(id, 'inbound', providerMessageId), `inbound ${providerMessageId}`, timeoutMs);
    const sandboxAccount = async (token: string) =>
      (await s.sandboxApi<{ items: SandboxAccount[] }>('GET', '/_sandbox/accounts')).body.items.find((a) => a.channel === 'telegram' && a.account === token);

    beforeAll(async () => {
      s = await startLiveServer({ kind });
      const created = await s.createChannel('telegram', { botToken: BOT_TOKEN, webhookSecret: SECRET, apiBaseUrl: s.sandbox.url });
      channelId = created.id;
      webhookUrl = created.webhookUrl;
    });
    afterAll(async () => {
      await s?.close();
    });
    beforeEach(async () => {
      await s.sandboxApi('POST', '/_sandbox/reset');
    });

    it('called setWebhook with the channel webhook URL and the configured secret', async () => {
      expect(webhookUrl).toBe(`${s.url}/webhooks/${channelId}`);
      expect(await sandboxAccount(BOT_TOKEN)).toMatchObject({ webhookUrl, hasSecret: true });
      expect(s.sandbox.context.accounts.get('telegram', BOT_TOKEN)?.secret).toBe(SECRET);
      const info = await (await fetch(`${s.sandbox.url}/bot${BOT_TOKEN}/getWebhookInfo`)).json();
      expect(info).toMatchObject({ ok: true, result: { url: webhookUrl } });
    });

    it('is listed with the bot token and secret masked, and passes the connection test', async () => {
      const list = await s.api<{ items: Array<{ id: string; kind: string; config: Record<string, string> }> }>('GET', '/api/v1/channels');
      const listed = list.body.items.find((c) => c.id === channelId)!;
      expect(listed).toMatchObject({ kind: 'telegram', config: { mode: 'webhook', apiBaseUrl: s.sandbox.url } });
      expect(listed.config.botToken).toMatch(/^••••/);
      expect(listed.config.webhookSecret).toMatch(/^••••/);
      expect(JSON.stringify(list.body)).not.toContain(BOT_TOKEN);
      expect(JSON.stringify(list.body)).not.toContain(SECRET);
      const test = await s.api<{ ok: boolean; detail?: string }>('POST', `/api/v1/channels/${channelId}/test`);
      expect(test.body).toEqual({ ok: true, detail: '@sandbox_7000000001_bot' });
    });

    it('reports a refused token as auth in the connection test, and refuses to create a channel Telegram rejects', async () => {
      await fault({ mode: 'auth' });
      const test = await s.api<{ ok: boolean; errorCategory?: string; explanation?: string }>('POST', `/api/v1/channels/${channelId}/test`);
      expect(test.body).toMatchObject({ ok: false, errorCategory: 'auth' });
      expect(test.body.explanation).toMatch(/BotFather/);
      const before = (await s.api<{ items: unknown[] }>('GET', '/api/v1/channels')).body.items.length;
      const created = await s.api<{ error: { code: string; message: string } }>('POST', '/api/v1/channels', {
        kind: 'telegram',
        name: 'refused',
        config: { botToken: '7000000009:AAE-refused', apiBaseUrl: s.sandbox.url },
      });
      expect(created.status).toBe(400);
      expect(created.body.error.code).toBe('provider_refused');
      expect(created.body.error.message).toMatch(/^Telegram refused the settings: .*BotFather.* Nothing was saved\.$/);
      // Unreachable (nothing listens on port 9): said so, and no promise of a retry that will not come.
      const unreachable = await s.api<{ error: { code: string; message: string } }>('POST', '/api/v1/channels', {
        kind: 'telegram',
        name: 'unreachable',
        config: { botToken: '7000000009:AAE-unreachable', apiBaseUrl: 'http://127.0.0.1:9' },
      });
      expect(unreachable.status).toBe(400);
      expect(unreachable.body.error.message).toMatch(/^Telegram could not be reached to set the channel up: .* Nothing was saved: try again in a moment\.$/);
      expect(unreachable.body.error.message).not.toMatch(/will retry/);
      expect((await s.api<{ items: unknown[] }>('GET', '/api/v1/channels')).body.items).toHaveLength(before);
    });

    it('refuses settings that are not a bot token or a valid secret', async () => {
      for (const config of [{ botToken: 'not-a-token' }, { botToken: BOT_TOKEN, webhookSecret: 'spaces are not allowed' }, { botToken: BOT_TOKEN, mode: 'push' }]) {
        const res = await s.api<{ error: { code: string } }>('POST', '/api/v1/channels', { kind: 'telegram', name: 'bad', config });
        expect(res.status).toBe(400);
        expect(res.body.error.code).toBe('invalid_channel_config');
      }
    });

    it('sends a message: the chat:message id comes back and the sandbox saw it exactly once', async () => {
      const { providerMessageId } = await send({ text: 'Hola Rosa, tu pedido está listo' });
      expect(providerMessageId).toMatch(/^555000111:\d+$/);
      const sent = await s.sandboxApi<{ items: SentItem[] }>('GET', '/_sandbox/sent?channel=telegram');
      expect(sent.body.items).toEqual([expect.objectContaining({ providerMessageId, to: '555000111', text: 'Hola Rosa, tu pedido está listo' })]);
    });

    it('sends a text with files as one Telegram message: one album, the text as its caption', async () => {
      const { providerMessageId } = await send({
        text: 'Tus facturas',
        attachments: [
          { url: 'https://files.example/f1.pdf', contentType: 'application/pdf', filename: 'f1.pdf' },
          { url: 'https://files.example/f2.pdf', contentType: 'application/pdf', filename: 'f2.pdf' },
        ],
      });
      const sent = await s.sandboxApi<{ items: SentItem[] }>('GET', '/_sandbox/sent?channel=telegram');
      expect(sent.body.items).toEqual([expect.objectContaining({ providerMessageId, to: '555000111', text: 'Tus facturas' })]);
    });

    it.each([
      [{ mode: 'down' }, 'transient', '502'],
      [{ mode: 'down', connection: 'reset' }, 'transient', null],
      [{ mode: 'flaky', errorRate: 1, timeoutShare: 0 }, 'transient', '500'],
      [{ mode: 'rate_limited', retryAfterSec: 3 }, 'rate_limited', '429'],
      [{ mode: 'banned' }, 'account_restricted', '403'],
      [{ mode: 'reject_recipient' }, 'invalid_recipient', '400'],
      [{ mode: 'blocked' }, 'recipient_blocked', '403'],
      [{ mode: 'auth' }, 'auth', '401'],
    ])('classifies the sandbox fault %j as %s', async (faultBody, category, code) => {
      await fault(faultBody);
      const error = await sendError();
      expect(error.category).toBe(category);
      expect(error.providerCode).toBe(code);
      expect(error.explanation.length).toBeGreaterThan(30);
      if (category === 'rate_limited') expect(error.retryAfterSec).toBe(3);
      expect((await s.sandboxApi<{ items: SentItem[] }>('GET', '/_sandbox/sent?channel=telegram')).body.items).toEqual([]);
    });

    it('puts inbound messages in the right contact by Telegram id, and a second one in the same contact', async () => {
      const first = await customerWrites('111222333', 'Hola, ¿tienen delivery?');
      expect(first.webhook?.status).toBe(200);
      const stored = await inboundMessage(first.providerMessageId);
      const [contact, ...others] = await findContacts('111222333');
      expect(others).toEqual([]);
      expect(contact?.id).toBe(stored.contactId);
      expect(contact?.name).toBe('Rosa');
      expect(contact?.identities).toEqual([expect.objectContaining({ kind: 'telegram', value: '111222333', consent: 'granted' })]);
      const second = await customerWrites('111222333', 'Gracias');
      expect((await inboundMessage(second.providerMessageId)).contactId).toBe(contact?.id);
      expect((await timeline(contact!.id)).map((i) => [i.direction, i.channel, i.body, i.providerMessageId])).toEqual([
        ['inbound', 'telegram', 'Gracias', second.providerMessageId],
        ['inbound', 'telegram', 'Hola, ¿tienen delivery?', first.providerMessageId],
      ]);
    });

    it('rejects a missing or wrong secret token with 401 and stores nothing; a malformed body with the right one gets 400', async () => {
      await s.app.channels.idle();
      const before = { events: await countRows('inbound_events'), messages: await countRows('messages') };
      const body = update(900_001, 444555666, 1, 'forged');
      expect((await postWebhook(body, {})).status).toBe(401);
      expect((await postWebhook(body, { 'x-telegram-bot-api-secret-token': 'not-the-secret' })).status).toBe(401);
      expect((await postWebhook(body, { 'x-telegram-bot-api-secret-token': `${SECRET}x` })).status).toBe(401);
      expect((await postWebhook('{"update_id":', { 'x-telegram-bot-api-secret-token': SECRET })).status).toBe(400);
      expect((await postWebhook('{"message":{"text":"no ids"}}', { 'x-telegram-bot-api-secret-token': SECRET })).status).toBe(400);
      expect(await countRows('inbound_events')).toBe(before.events);
      expect(await countRows('messages')).toBe(before.messages);
      expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
    });

    it('stores an update delivered twice once', async () => {
      const body = update(900_002, 777888999, 12, 'duplicated?');
      const headers = { 'x-telegram-bot-api-secret-token': SECRET };
      expect((await postWebhook(body, headers)).status).toBe(200);
      expect((await postWebhook(body, headers)).status).toBe(200);
      // The same update re-serialised with other spacing is another body: dedupe by chat:message id catches it.
      expect((await postWebhook(JSON.stringify(JSON.parse(body), null, 2), headers)).status).toBe(200);
      const stored = await inboundMessage('777888999:12');
      await s.app.channels.idle();
      expect((await timeline(stored.contactId)).filter((i) => i.providerMessageId === '777888999:12')).toHaveLength(1);
    });

    it('sends no delivery receipts: a sent message stays sent', async () => {
      const contact = await s.data.contacts.create({ name: 'Receipts', identities: [{ kind: 'telegram', value: '555000222' }] }, 'test');
      const { providerMessageId } = await send({ to: '555000222' });
      await s.data.messages.append({ contactId: contact.id, direction: 'outbound', channel: 'telegram', channelId, body: 'Your order is ready', providerMessageId, status: 'sent' });
      await new Promise((r) => setTimeout(r, 300));
      await s.app.channels.idle();
      expect((await s.data.messages.findByProviderId(channelId, 'outbound', providerMessageId))?.status).toBe('sent');
      expect((await s.sandboxApi<{ items: unknown[] }>('GET', '/_sandbox/webhooks/log?channel=telegram')).body.items).toEqual([]);
    });

    it('revokes consent on /stop, keeping the message, and grants it again on /start', async () => {
      const from = '123123123';
      const hello = await customerWrites(from, 'Hola');
      const { contactId } = await inboundMessage(hello.providerMessageId);
      const consentOf = async () => (await s.data.contacts.get(contactId))!.identities.find((i) => i.kind === 'telegram' && i.value === from)!;
      expect((await consentOf()).consent).toBe('granted');
      const stop = await customerWrites(from, '/stop');
      await inboundMessage(stop.providerMessageId);
      const revoked = await s.waitFor(async () => {
        await s.app.channels.idle();
        const identity = await consentOf();
        return identity.consent === 'revoked' && identity;
      }, 'consent revoked');
      expect(revoked.consentSource).toBe('telegram:/stop');
      expect((await timeline(contactId)).map((i) => i.body)).toContain('/stop');
      const start = await customerWrites(from, '/start');
      await inboundMessage(start.providerMessageId);
      const granted = await s.waitFor(async () => {
        await s.app.channels.idle();
        const identity = await consentOf();
        return identity.consent === 'granted' && identity;
      }, 'consent granted');
      expect(granted.consentSource).toBe('telegram:/start');
    });

    it('without a configured secret, sets a secret derived from the token and accepts webhooks signed with it', async () => {
      const token = '7000000002:AAE-derived-secret';
      const created = await s.createChannel('telegram', { botToken: token, apiBaseUrl: s.sandbox.url }, 'derived');
      const secret = s.sandbox.context.accounts.get('telegram', token)?.secret;
      expect(secret).toBe(webhookSecretOf({ botToken: token }));
      expect(secret).toMatch(/^[A-Za-z0-9_-]{20,256}$/);
      const delivered = await customerWrites('246810121', 'Hola al bot nuevo', token);
      expect(delivered.webhook?.status).toBe(200);
      expect((await inboundMessage(delivered.providerMessageId, created.id)).body).toBe('Hola al bot nuevo');
      expect((await s.api('DELETE', `/api/v1/channels/${created.id}`)).status).toBe(204);
    });

    it('in polling mode deletes the webhook and long-polls getUpdates: a customer message reaches the timeline', async () => {
      const token = '7000000003:AAE-polling-bot';
      const created = await s.createChannel('telegram', { botToken: token, mode: 'polling', apiBaseUrl: s.sandbox.url }, 'polling');
      try {
        expect(await sandboxAccount(token)).toMatchObject({ webhookUrl: null });
        const first = await customerWrites('135791113', 'Hola por polling', token);
        expect(first.queued).toBe(true);
        const stored = await inboundMessage(first.providerMessageId, created.id, 10_000);
        expect(stored.body).toBe('Hola por polling');
        const [contact] = await findContacts('135791113');
        expect(contact?.id).toBe(stored.contactId);
        expect(contact?.identities).toEqual([expect.objectContaining({ kind: 'telegram', value: '135791113' })]);
        const second = await customerWrites('135791113', 'Segundo mensaje', token);
        expect((await inboundMessage(second.providerMessageId, created.id, 10_000)).contactId).toBe(stored.contactId);
        // Polled updates are stored under their update id, once each.
        const keys = await s.store.db.selectFrom('inbound_events').select('dedupe_key').where('channel_id', '=', created.id).execute();
        expect(keys.map((k) => k.dedupe_key)).toEqual([expect.stringMatching(/^update:\d+$/), expect.stringMatching(/^update:\d+$/)]);
        expect(new Set(keys.map((k) => k.dedupe_key)).size).toBe(2);
      } finally {
        expect((await s.api('DELETE', `/api/v1/channels/${created.id}`)).status).toBe(204);
      }
    });
  });
});
