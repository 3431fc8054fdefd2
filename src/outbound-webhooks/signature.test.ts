import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { newSigningSecret, signatureHeader, signatureOf, verifySignature } from './signature.js';

const SECRET = 'whsec_test-secret';
const BODY = '{"id":"evt_1","type":"message.received","createdAt":"2024-01-01T00:00:00.000Z","data":{"text":"¿Está listo?"}}';
const T = 1_700_000_000;

describe('webhook signatures', () => {
  it('is the hex HMAC-SHA256 of "<t>.<body>" keyed with the secret string', () => {
    const expected = createHmac('sha256', SECRET).update(`${T}.${BODY}`).digest('hex');
    expect(signatureOf(SECRET, T, BODY)).toBe(expected);
    expect(signatureHeader([SECRET], T, BODY)).toBe(`t=${T},v1=${expected}`);
  });

  it('matches a value computed by hand for a fixed input (a receiver in any language can check against it)', () => {
    expect(signatureOf('whsec_abc', 1, '{}')).toBe(createHmac('sha256', Buffer.from('whsec_abc', 'utf8')).update('1.{}', 'utf8').digest('hex'));
  });

  it('verifies a genuine request within the tolerance', () => {
    const header = signatureHeader([SECRET], T, BODY);
    expect(verifySignature(header, BODY, SECRET, { nowSec: T + 299 })).toEqual({ ok: true, timestampSec: T });
    expect(verifySignature(header, BODY, SECRET, { nowSec: T - 299 })).toEqual({ ok: true, timestampSec: T });
  });

  it('refuses an altered body, a wrong secret, and a replay outside the tolerance', () => {
    const header = signatureHeader([SECRET], T, BODY);
    expect(verifySignature(header, BODY.replace('listo', 'lista'), SECRET, { nowSec: T })).toEqual({ ok: false, reason: 'no_matching_signature' });
    expect(verifySignature(header, BODY, 'whsec_other', { nowSec: T })).toEqual({ ok: false, reason: 'no_matching_signature' });
    expect(verifySignature(header, BODY, SECRET, { nowSec: T + 301 })).toEqual({ ok: false, reason: 'timestamp_out_of_tolerance' });
    expect(verifySignature(header, BODY, SECRET, { nowSec: T + 3600, toleranceSec: 3600 })).toMatchObject({ ok: true });
  });

  it('refuses a moved timestamp: t is part of what is signed', () => {
    const header = signatureHeader([SECRET], T, BODY).replace(`t=${T}`, `t=${T + 1000}`);
    expect(verifySignature(header, BODY, SECRET, { nowSec: T + 1000 })).toEqual({ ok: false, reason: 'no_matching_signature' });
  });

  it('refuses missing or malformed headers', () => {
    expect(verifySignature(undefined, BODY, SECRET)).toEqual({ ok: false, reason: 'malformed_header' });
    expect(verifySignature('', BODY, SECRET)).toEqual({ ok: false, reason: 'malformed_header' });
    expect(verifySignature(`t=${T}`, BODY, SECRET)).toEqual({ ok: false, reason: 'malformed_header' });
    expect(verifySignature(`v1=${signatureOf(SECRET, T, BODY)}`, BODY, SECRET)).toEqual({ ok: false, reason: 'malformed_header' });
    expect(verifySignature(`t=soon,v1=${signatureOf(SECRET, T, BODY)}`, BODY, SECRET)).toEqual({ ok: false, reason: 'malformed_header' });
    expect(verifySignature(`t=${T},v1=zz`, BODY, SECRET)).toEqual({ ok: false, reason: 'malformed_header' });
  });

  it('signs with every secret during a rotation, and either secret verifies', () => {
    const next = newSigningSecret();
    const header = signatureHeader([next, SECRET], T, BODY);
    expect(header.split(',').filter((part) => part.startsWith('v1='))).toHaveLength(2);
    expect(verifySignature(header, BODY, next, { nowSec: T })).toMatchObject({ ok: true });
    expect(verifySignature(header, BODY, SECRET, { nowSec: T })).toMatchObject({ ok: true });
    expect(() => signatureHeader([], T, BODY)).toThrow(/at least one/);
  });

  it('makes secrets that are long, prefixed and different every time', () => {
    const a = newSigningSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(newSigningSecret()).not.toBe(a);
  });
});
