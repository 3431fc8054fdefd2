// Meta's webhook signature and subscription handshake.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { WebhookRequest } from '../types.js';
import { answerMetaHandshake, verifyMetaSignature } from './webhook.js';

const secret = 'app-secret-1';
const body = Buffer.from('{"object":"page","entry":[{"id":"1","messaging":[{"message":{"text":"héllo \\u00e9"}}]}]}', 'utf8');
const sign = (key: string, bytes: Buffer) => `sha256=${createHmac('sha256', key).update(bytes).digest('hex')}`;

function request(headers: Record<string, string>, url = 'https://hub.example/webhooks/ch1', raw = body): WebhookRequest {
  return { method: 'POST', url, headers, query: Object.fromEntries(new URL(url).searchParams), rawBody: raw };
}

describe('verifyMetaSignature', () => {
  it('accepts the HMAC-SHA256 of the exact bytes', () => {
    expect(verifyMetaSignature(secret, request({ 'x-hub-signature-256': sign(secret, body) }))).toEqual({ accept: true });
  });

  it('accepts an uppercase hex digest', () => {
    const upper = `sha256=${sign(secret, body).slice(7).toUpperCase()}`;
    expect(verifyMetaSignature(secret, request({ 'x-hub-signature-256': upper })).accept).toBe(true);
  });

  it('answers 401 when the header is missing', () => {
    const verdict = verifyMetaSignature(secret, request({}));
    expect(verdict).toMatchObject({ accept: false, status: 401 });
  });

  it('answers 403 for a signature made with another secret', () => {
    const verdict = verifyMetaSignature(secret, request({ 'x-hub-signature-256': sign('other-secret', body) }));
    expect(verdict).toMatchObject({ accept: false, status: 403 });
    if (!verdict.accept) expect(verdict.reason).toMatch(/appSecret/);
  });

  it('answers 403 for a garbled or truncated signature, and for a body changed after signing', () => {
    expect(verifyMetaSignature(secret, request({ 'x-hub-signature-256': 'sha256=deadbeef' })).accept).toBe(false);
    expect(verifyMetaSignature(secret, request({ 'x-hub-signature-256': sign(secret, body).replace('sha256=', 'sha1=') })).accept).toBe(false);
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(body.toString('utf8'))), 'utf8');
    expect(reserialised.equals(body)).toBe(false);
    expect(verifyMetaSignature(secret, request({ 'x-hub-signature-256': sign(secret, body) }, undefined, reserialised)).accept).toBe(false);
  });
});

describe('answerMetaHandshake', () => {
  const url = (token: string, mode = 'subscribe') =>
    `https://hub.example/webhooks/ch1?hub.mode=${mode}&hub.challenge=1158201444&hub.verify_token=${encodeURIComponent(token)}`;

  it('echoes the challenge as plain text when the verify token matches', () => {
    const verdict = answerMetaHandshake('my verify token', request({}, url('my verify token')));
    expect(verdict).toEqual({ accept: true, reply: { status: 200, body: '1158201444', contentType: 'text/plain; charset=utf-8' } });
  });

  it('refuses a wrong token, a wrong mode and a missing challenge with 403', () => {
    expect(answerMetaHandshake('my verify token', request({}, url('guess')))).toMatchObject({ accept: false, status: 403 });
    expect(answerMetaHandshake('my verify token', request({}, url('my verify token', 'unsubscribe')))).toMatchObject({ accept: false, status: 403 });
    expect(answerMetaHandshake('t', request({}, 'https://hub.example/webhooks/ch1?hub.mode=subscribe&hub.verify_token=t'))).toMatchObject({ accept: false, status: 403 });
  });
});
