// The Bot API client and the long-polling loop against a real local HTTP server standing in for api.telegram.org,
// scripted per test: offsets, back-off after errors, prompt stops, and sends with attachments.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { InboundEvent } from '../types.js';
import { ProviderError } from '../types.js';
import type { TelegramConfig } from './config.js';
import { telegramAdapter } from './index.js';
import { startTelegramPolling } from './polling.js';

interface Call {
  method: string;
  token: string;
  params: Record<string, unknown>;
  at: number;
}

type Script = (call: Call, res: ServerResponse) => void | Promise<void>;

let server: Server;
let baseUrl: string;
let allCalls: Call[] = [];
// Each test has its own bot token, so a request a stopped receiver had already sent cannot count in the next test.
let token = '';
let tokens = 0;
const callsOf = () => allCalls.filter((c) => c.token === token);
let script: Script = (_call, res) => json(res, 200, { ok: true, result: [] });

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const match = /^\/bot([^/]+)\/(\w+)$/.exec(req.url ?? '');
    const text = await readBody(req);
    if (!match) return json(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    const call = { token: match[1]!, method: match[2]!, params: text ? (JSON.parse(text) as Record<string, unknown>) : {}, at: Date.now() };
    allCalls.push(call);
    await script(call, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

beforeEach(() => {
  tokens += 1;
  token = `${100000 + tokens}:TEST-token`;
});

afterEach(() => {
  allCalls = [];
  script = (_call, res) => json(res, 200, { ok: true, result: [] });
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const config = (): TelegramConfig => ({ botToken: token, apiBaseUrl: baseUrl, mode: 'polling' });
const ctx = () => ({ channelId: 'ch_1', config: config(), webhookUrl: 'https://hub.example.com/webhooks/ch_1', publicUrl: 'https://hub.example.com' });

const update = (id: number, text: string) => ({
  update_id: id,
  message: { message_id: id, from: { id: 77, is_bot: false, first_name: 'Ana' }, chat: { id: 77, type: 'private' }, date: 1700000000, text },
});

async function until(check: () => boolean, what: string, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('Telegram long polling', () => {
  it('hands each update to the sink once, with its dedupe key, and confirms it with the next offset', async () => {
    const queue = [[update(500, 'one'), update(501, 'two')], [update(502, 'three')]];
    script = (call, res) => json(res, 200, { ok: true, result: call.method === 'getUpdates' ? (queue.shift() ?? []) : true });
    const received: Array<{ events: InboundEvent[]; dedupeKey: string; body: string }> = [];
    const receiver = startTelegramPolling(config(), async (events, raw) => void received.push({ events, ...raw }), { pollTimeoutSec: 0 });
    await until(() => received.length === 3 && callsOf().length >= 3, 'three updates');
    await receiver.stop();
    expect(received.map((r) => r.dedupeKey)).toEqual(['update:500', 'update:501', 'update:502']);
    expect(received.map((r) => (r.events[0] as { text: string }).text)).toEqual(['one', 'two', 'three']);
    expect(JSON.parse(received[0]!.body)).toEqual(received[0]!.events);
    const offsets = callsOf().filter((c) => c.method === 'getUpdates').map((c) => c.params.offset);
    expect(offsets.slice(0, 3)).toEqual([0, 502, 503]);
    expect(callsOf()[0]!.params).toMatchObject({ timeout: 0, allowed_updates: ['message', 'my_chat_member'] });
    expect(callsOf()[0]!.token).toBe(token);
  });

  it('does not confirm an update the sink failed to store, and backs off before asking again', async () => {
    script = (call, res) => json(res, 200, { ok: true, result: [update(700, 'keep me')] });
    let attempts = 0;
    const stored: string[] = [];
    const errors: unknown[] = [];
    const receiver = startTelegramPolling(
      config(),
      async (_events, raw) => {
        attempts += 1;
        if (attempts === 1) throw new Error('database unavailable');
        stored.push(raw.dedupeKey);
      },
      { pollTimeoutSec: 0, initialBackoffMs: 150, onError: (e) => errors.push(e) },
    );
    await until(() => stored.length >= 1, 'the retried update');
    await receiver.stop();
    const getUpdates = callsOf().filter((c) => c.method === 'getUpdates');
    expect(getUpdates[0]!.params.offset).toBe(0);
    expect(getUpdates[1]!.params.offset).toBe(0);
    expect(getUpdates[1]!.at - getUpdates[0]!.at).toBeGreaterThanOrEqual(140);
    expect((errors[0] as Error).message).toBe('database unavailable');
  });

  it('backs off with doubling delays on provider errors, bounded by maxBackoffMs, and reports them classified', async () => {
    script = (_call, res) => json(res, 502, { ok: false, error_code: 502, description: 'Bad Gateway' });
    const errors: unknown[] = [];
    const receiver = startTelegramPolling(config(), async () => {}, { pollTimeoutSec: 0, initialBackoffMs: 40, maxBackoffMs: 100, onError: (e) => errors.push(e) });
    await until(() => callsOf().length >= 5, 'five attempts');
    await receiver.stop();
    const calls = callsOf();
    const gaps = calls.slice(1, 5).map((c, i) => c.at - calls[i]!.at);
    expect(gaps[0]).toBeGreaterThanOrEqual(35);
    expect(gaps[1]).toBeGreaterThanOrEqual(75);
    // 40, 80, then capped at 100 rather than 160.
    expect(gaps[2]).toBeGreaterThanOrEqual(95);
    expect(gaps[3]).toBeLessThan(250);
    expect(errors[0]).toBeInstanceOf(ProviderError);
    expect((errors[0] as ProviderError).category).toBe('transient');
  });

  it('stops promptly in the middle of a long poll', async () => {
    // The stand-in holds getUpdates open like Telegram does with timeout=25.
    script = (_call, res) => void setTimeout(() => json(res, 200, { ok: true, result: [] }), 20_000).unref();
    const receiver = startTelegramPolling(config(), async () => {}, { pollTimeoutSec: 25 });
    await until(() => callsOf().length === 1, 'the first poll');
    const started = Date.now();
    await receiver.stop();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(callsOf()[0]!.params.timeout).toBe(25);
  });

  it('stops promptly while backing off', async () => {
    script = (_call, res) => json(res, 401, { ok: false, error_code: 401, description: 'Unauthorized' });
    const receiver = startTelegramPolling(config(), async () => {}, { pollTimeoutSec: 0, initialBackoffMs: 60_000 });
    await until(() => callsOf().length === 1, 'the first poll');
    const started = Date.now();
    await receiver.stop();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(callsOf()).toHaveLength(1);
  });

  it('skips updates it does not turn into events, still confirming them', async () => {
    const queue = [[{ update_id: 900, edited_message: update(900, 'x').message }], [update(901, 'real')]];
    script = (_call, res) => json(res, 200, { ok: true, result: queue.shift() ?? [] });
    const keys: string[] = [];
    const receiver = startTelegramPolling(config(), async (_e, raw) => void keys.push(raw.dedupeKey), { pollTimeoutSec: 0 });
    await until(() => keys.length === 1 && callsOf().length >= 3, 'the real update');
    await receiver.stop();
    expect(keys).toEqual(['update:901']);
    expect(callsOf()[1]!.params.offset).toBe(901);
  });
});

describe('Telegram adapter calls', () => {
  it('setup in polling mode deletes the webhook; in webhook mode sets it with the secret and allowed updates', async () => {
    script = (_call, res) => json(res, 200, { ok: true, result: true, description: 'ok' });
    await telegramAdapter.setup!(ctx());
    expect(callsOf().map((c) => c.method)).toEqual(['deleteWebhook']);
    allCalls = [];
    await telegramAdapter.setup!({ ...ctx(), config: { ...config(), mode: 'webhook', webhookSecret: 'abc_DEF-1' } });
    expect(callsOf()[0]).toMatchObject({
      method: 'setWebhook',
      params: { url: 'https://hub.example.com/webhooks/ch_1', secret_token: 'abc_DEF-1', allowed_updates: ['message', 'my_chat_member'] },
    });
  });

  it('sends the text as the first attachment\'s caption: tg-file ids re-used, images as photos, the rest as documents', async () => {
    let next = 40;
    script = (call, res) => json(res, 200, { ok: true, result: { message_id: next++, chat: { id: Number(call.params.chat_id) }, date: 1 } });
    const result = await telegramAdapter.send(ctx(), {
      messageId: 'msg_1',
      to: '77',
      text: 'Here you go',
      attachments: [
        { url: 'tg-file:AgACphoto', contentType: 'image/png' },
        { url: 'https://shop.example.com/invoice.pdf', contentType: 'application/pdf' },
      ],
    });
    expect(result).toEqual({ providerMessageId: '77:40' });
    expect(callsOf().map((c) => [c.method, c.params])).toEqual([
      ['sendPhoto', { chat_id: '77', photo: 'AgACphoto', caption: 'Here you go' }],
      ['sendDocument', { chat_id: '77', document: 'https://shop.example.com/invoice.pdf' }],
    ]);
  });

  it('sends files of one kind as one album, the text as the first one\'s caption', async () => {
    script = (call, res) => {
      const media = call.params.media as unknown[];
      json(res, 200, { ok: true, result: media.map((_, i) => ({ message_id: 80 + i, chat: { id: Number(call.params.chat_id) }, date: 1 })) });
    };
    const result = await telegramAdapter.send(ctx(), {
      messageId: 'msg_3',
      to: '77',
      text: 'Your invoices',
      attachments: [{ url: 'https://shop.example.com/a.pdf' }, { url: 'tg-file:BQACdoc', contentType: 'application/pdf' }],
    });
    expect(result).toEqual({ providerMessageId: '77:80' });
    expect(callsOf().map((c) => [c.method, c.params])).toEqual([
      ['sendMediaGroup', { chat_id: '77', media: [{ type: 'document', media: 'https://shop.example.com/a.pdf', caption: 'Your invoices' }, { type: 'document', media: 'BQACdoc' }] }],
    ]);
  });

  it('sends a text too long for a caption first, then the attachment', async () => {
    let next = 60;
    script = (call, res) => json(res, 200, { ok: true, result: { message_id: next++, chat: { id: Number(call.params.chat_id) }, date: 1 } });
    const long = 'x'.repeat(1025);
    await telegramAdapter.send(ctx(), { messageId: 'msg_2', to: '77', text: long, attachments: [{ url: 'https://shop.example.com/a.pdf' }] });
    expect(callsOf().map((c) => [c.method, c.params])).toEqual([
      ['sendMessage', { chat_id: '77', text: long }],
      ['sendDocument', { chat_id: '77', document: 'https://shop.example.com/a.pdf' }],
    ]);
  });

  it('classifies a non-JSON 5xx answer as transient and an unreachable server as transient', async () => {
    script = (_call, res) => void res.writeHead(503).end('<html>down</html>');
    await expect(telegramAdapter.send(ctx(), { messageId: 'm', to: '1', text: 'x' })).rejects.toMatchObject({ category: 'transient', providerCode: '503' });
    const closed = { ...ctx(), config: { ...config(), apiBaseUrl: 'http://127.0.0.1:1' } };
    await expect(telegramAdapter.send(closed, { messageId: 'm', to: '1', text: 'x' })).rejects.toMatchObject({ category: 'transient' });
  });

  it('reports the bot username on testConnection', async () => {
    script = (_call, res) => json(res, 200, { ok: true, result: { id: 123456, is_bot: true, first_name: 'Shop', username: 'shop_bot' } });
    await expect(telegramAdapter.testConnection(ctx())).resolves.toEqual({ detail: '@shop_bot' });
  });
});
