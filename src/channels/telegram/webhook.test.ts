import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type WebhookRequest, WebhookParseError } from '../types.js';
import { webhookSecretOf } from './config.js';
import { parseTelegramWebhook, verifyTelegramSecret } from './webhook.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url));

const request = (headers: WebhookRequest['headers']): WebhookRequest => ({
  method: 'POST',
  url: 'https://hub.example.com/webhooks/ch_1',
  headers,
  query: {},
  rawBody: fixture('message-text'),
});

describe('verifyTelegramSecret', () => {
  it('accepts the configured secret token', () => {
    expect(verifyTelegramSecret('s3cret_-Token', request({ 'x-telegram-bot-api-secret-token': 's3cret_-Token' }))).toEqual({ accept: true });
  });

  it('reads the header whatever its case', () => {
    expect(verifyTelegramSecret('abc', request({ 'X-Telegram-Bot-Api-Secret-Token': 'abc' })).accept).toBe(true);
  });

  it('answers 401 when the header is missing', () => {
    const verdict = verifyTelegramSecret('abc', request({}));
    expect(verdict).toMatchObject({ accept: false, status: 401 });
  });

  it('answers 401 when the token is wrong, including a prefix of the right one', () => {
    expect(verifyTelegramSecret('abcdef', request({ 'x-telegram-bot-api-secret-token': 'abcdeg' }))).toMatchObject({ accept: false, status: 401 });
    expect(verifyTelegramSecret('abcdef', request({ 'x-telegram-bot-api-secret-token': 'abc' }))).toMatchObject({ accept: false, status: 401 });
  });
});

describe('webhookSecretOf', () => {
  it('uses the configured secret when there is one', () => {
    expect(webhookSecretOf({ botToken: '123:ABC', webhookSecret: 'mine' })).toBe('mine');
  });

  it('derives a stable secret Telegram accepts, different per token and not containing it', () => {
    const a = webhookSecretOf({ botToken: '123:ABC' });
    expect(a).toBe(webhookSecretOf({ botToken: '123:ABC' }));
    expect(a).not.toBe(webhookSecretOf({ botToken: '123:ABD' }));
    expect(a).toMatch(/^[A-Za-z0-9_-]{1,256}$/);
    expect(a).not.toContain('ABC');
  });
});

describe('parseTelegramWebhook', () => {
  it('turns a text message into a message from the Telegram user', () => {
    expect(parseTelegramWebhook(fixture('message-text'))).toEqual([
      {
        type: 'message',
        identityKind: 'telegram',
        from: '1111111',
        fromName: 'Ana Quispe',
        providerMessageId: '1111111:1365',
        text: 'Hola, ¿tienen stock?',
        attachments: [],
        at: 1441645532000,
      },
    ]);
  });

  it('keeps the largest photo as a tg-file attachment and the caption as text', () => {
    const [event] = parseTelegramWebhook(fixture('message-photo'));
    expect(event).toMatchObject({
      type: 'message',
      text: 'This one, size M',
      fromName: 'Ana',
      attachments: [{ url: 'tg-file:AgACAgQAAxkBAAIBZ2large', contentType: 'image/jpeg' }],
    });
  });

  it('keeps a document with its name and type', () => {
    const [event] = parseTelegramWebhook(fixture('message-document'));
    expect(event).toMatchObject({
      text: '',
      attachments: [{ url: 'tg-file:BQACAgQAAxkBAAIBaGdoc', contentType: 'application/pdf', filename: 'invoice.pdf' }],
    });
  });

  it('keeps /start and /stop as messages, followed by an opt-in and an opt-out', () => {
    const start = parseTelegramWebhook(fixture('command-start'));
    expect(start.map((e) => e.type)).toEqual(['message', 'opt_in']);
    expect(start[0]).toMatchObject({ text: '/start', providerMessageId: '2222222:1', fromName: 'Luis' });
    expect(start[1]).toEqual({ type: 'opt_in', identityKind: 'telegram', from: '2222222', at: 1441645800000, keyword: '/start' });
    const stop = parseTelegramWebhook(fixture('command-stop'));
    expect(stop.map((e) => e.type)).toEqual(['message', 'opt_out']);
    expect(stop[1]).toEqual({ type: 'opt_out', identityKind: 'telegram', from: '2222222', at: 1441645900000, keyword: '/stop' });
  });

  it('recognises commands addressed to the bot but not words that start like them', () => {
    const update = (text: string) => Buffer.from(JSON.stringify({ update_id: 1, message: { message_id: 5, from: { id: 9, first_name: 'X' }, chat: { id: 9, type: 'private' }, date: 1, text } }));
    expect(parseTelegramWebhook(update('/STOP@shop_bot')).map((e) => e.type)).toEqual(['message', 'opt_out']);
    expect(parseTelegramWebhook(update('/start promo-42')).map((e) => e.type)).toEqual(['message', 'opt_in']);
    expect(parseTelegramWebhook(update('/stopwatch please')).map((e) => e.type)).toEqual(['message']);
  });

  it('ignores edited messages', () => {
    expect(parseTelegramWebhook(fixture('edited-message'))).toEqual([]);
  });

  it('treats a customer blocking the bot as an opt-out', () => {
    expect(parseTelegramWebhook(fixture('my-chat-member-kicked'))).toEqual([
      { type: 'opt_out', identityKind: 'telegram', from: '1111111', at: 1441646000000, keyword: 'blocked the bot' },
    ]);
  });

  it('ignores messages from bots and updates it does not handle', () => {
    const bot = { update_id: 1, message: { message_id: 5, from: { id: 9, is_bot: true }, chat: { id: 9 }, date: 1, text: 'hi' } };
    expect(parseTelegramWebhook(Buffer.from(JSON.stringify(bot)))).toEqual([]);
    expect(parseTelegramWebhook(Buffer.from(JSON.stringify({ update_id: 2, callback_query: { id: 'x' } })))).toEqual([]);
  });

  it('throws WebhookParseError on malformed bodies', () => {
    expect(() => parseTelegramWebhook(Buffer.from('{not json'))).toThrow(WebhookParseError);
    expect(() => parseTelegramWebhook(Buffer.from('[]'))).toThrow(WebhookParseError);
    expect(() => parseTelegramWebhook(Buffer.from('{"message":{}}'))).toThrow(WebhookParseError);
    expect(() => parseTelegramWebhook(Buffer.from('{"update_id":3,"message":{"text":"x"}}'))).toThrow(WebhookParseError);
  });
});
