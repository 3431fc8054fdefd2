import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type WebhookRequest, WebhookParseError } from '../types.js';
import { parseViberJson } from './api.js';
import { parseViberWebhook, verifyViberSignature } from './webhook.js';

const TOKEN = '445da6az1s345z78-dazcczb2542zv51a-e0vc5fva17480im9';
const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url));
const sign = (body: Buffer, key = TOKEN) => createHmac('sha256', key).update(body).digest('hex');

const request = (body: Buffer, headers: WebhookRequest['headers']): WebhookRequest => ({
  method: 'POST',
  url: 'https://hub.example.com/webhooks/ch_1',
  headers,
  query: {},
  rawBody: body,
});

describe('verifyViberSignature', () => {
  const body = fixture('message-text');

  it('accepts the hex HMAC-SHA256 of the raw body keyed by the auth token', () => {
    expect(verifyViberSignature(TOKEN, request(body, { 'x-viber-content-signature': sign(body) }))).toEqual({ accept: true });
  });

  it('reads the header whatever its case, and upper-case hex', () => {
    expect(verifyViberSignature(TOKEN, request(body, { 'X-Viber-Content-Signature': sign(body).toUpperCase() })).accept).toBe(true);
  });

  it('answers 403 when the signature is missing', () => {
    expect(verifyViberSignature(TOKEN, request(body, {}))).toMatchObject({ accept: false, status: 403 });
  });

  it('answers 403 for another key, another body, or a sha256= prefix', () => {
    expect(verifyViberSignature(TOKEN, request(body, { 'x-viber-content-signature': sign(body, 'other-token') }))).toMatchObject({ accept: false, status: 403 });
    const altered = Buffer.from(body.toString('utf8').replace('a message', 'A message'));
    expect(verifyViberSignature(TOKEN, request(altered, { 'x-viber-content-signature': sign(body) }))).toMatchObject({ accept: false, status: 403 });
    expect(verifyViberSignature(TOKEN, request(body, { 'x-viber-content-signature': `sha256=${sign(body)}` }))).toMatchObject({ accept: false, status: 403 });
  });

  it('checks the exact bytes: re-serialised JSON no longer matches', () => {
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(body.toString('utf8'))));
    expect(verifyViberSignature(TOKEN, request(reserialised, { 'x-viber-content-signature': sign(body) })).accept).toBe(false);
  });
});

describe('parseViberJson', () => {
  it('keeps 64-bit message tokens exact, as strings', () => {
    const parsed = parseViberJson('{"status":0,"message_token":5741311803571721087, "x":"\\"message_token\\":1"}') as Record<string, unknown>;
    expect(parsed.message_token).toBe('5741311803571721087');
    expect(parsed.x).toBe('"message_token":1');
  });
});

describe('parseViberWebhook', () => {
  it('turns a text message into a message from the Viber user, with the exact token as id', () => {
    expect(parseViberWebhook(fixture('message-text'))).toEqual([
      {
        type: 'message',
        identityKind: 'viber',
        from: '01234567890A=',
        fromName: 'John McClane',
        providerMessageId: '4912661846655238145',
        text: 'a message to the service',
        attachments: [],
        at: 1457764197627,
      },
    ]);
  });

  it('keeps a picture as an attachment with its caption as text', () => {
    const [event] = parseViberWebhook(fixture('message-picture'));
    expect(event).toMatchObject({
      providerMessageId: '4912661846655238146',
      text: 'the blue one',
      attachments: [{ url: expect.stringContaining('dl-media.viber.com'), contentType: 'image/jpeg', filename: 'photo.jpg' }],
    });
  });

  it('keeps a file as an attachment with its name', () => {
    const [event] = parseViberWebhook(fixture('message-file'));
    expect(event).toMatchObject({ text: '', attachments: [{ url: 'https://dl-media.viber.com/files/invoice.pdf', filename: 'invoice.pdf' }] });
  });

  it('maps delivered → delivered and seen → read on the exact token', () => {
    expect(parseViberWebhook(fixture('delivered'))).toEqual([{ type: 'status', providerMessageId: '4912661846655238145', status: 'delivered', at: 1457764197627 }]);
    expect(parseViberWebhook(fixture('seen'))).toEqual([{ type: 'status', providerMessageId: '4912661846655238145', status: 'read', at: 1457764197627 }]);
  });

  it('maps failed → failed with the description in the explanation', () => {
    const [event] = parseViberWebhook(fixture('failed'));
    expect(event).toMatchObject({ type: 'status', status: 'failed', error: { category: 'unknown', providerCode: 'failed' } });
    expect(event && 'error' in event ? event.error?.explanation : '').toContain('failure description');
  });

  it('maps subscribed → opt_in and unsubscribed → opt_out', () => {
    expect(parseViberWebhook(fixture('subscribed'))).toEqual([{ type: 'opt_in', identityKind: 'viber', from: '01234567890A=', at: 1457764197627, keyword: 'subscribed' }]);
    expect(parseViberWebhook(fixture('unsubscribed'))).toEqual([{ type: 'opt_out', identityKind: 'viber', from: '01234567890A=', at: 1457764197627, keyword: 'unsubscribed' }]);
  });

  it('produces nothing for the webhook check and conversation_started', () => {
    expect(parseViberWebhook(fixture('webhook'))).toEqual([]);
    expect(parseViberWebhook(fixture('conversation-started'))).toEqual([]);
  });

  it('throws WebhookParseError on malformed bodies', () => {
    expect(() => parseViberWebhook(Buffer.from('not json'))).toThrow(WebhookParseError);
    expect(() => parseViberWebhook(Buffer.from('{"timestamp":1}'))).toThrow(WebhookParseError);
    expect(() => parseViberWebhook(Buffer.from('{"event":"message","message_token":1,"sender":{"id":"x"}}'))).toThrow(WebhookParseError);
    expect(() => parseViberWebhook(Buffer.from('{"event":"delivered","timestamp":1}'))).toThrow(WebhookParseError);
    expect(() => parseViberWebhook(Buffer.from('{"event":"message","message_token":1,"message":{"type":"text","text":"x"}}'))).toThrow(WebhookParseError);
  });
});
