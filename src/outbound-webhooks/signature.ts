// Signing of outbound webhooks, and the reference verification that docs/integrations.md describes to receivers.
//
//   Lifeline-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" keyed with the endpoint secret>
//
// The timestamp is inside the signed text, so a receiver that also checks it is recent refuses a replayed request.
// While a rotated-out secret is still honoured, the header carries one v1 per secret; a receiver accepts the request
// when any of them matches (the same scheme as Stripe's, so receivers can reuse what they know).
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'Lifeline-Signature';
export const EVENT_ID_HEADER = 'Lifeline-Event-Id';
export const EVENT_TYPE_HEADER = 'Lifeline-Event-Type';

/** How far a receiver should let the signed time be from its own clock; 5 minutes, as recommended in the docs. */
export const DEFAULT_TOLERANCE_SEC = 300;

/** A new signing secret: `whsec_` and 32 random bytes in base64url. The whole string is the HMAC key. */
export function newSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

/** The hex HMAC-SHA256 of `<timestamp>.<body>` under `secret` (its UTF-8 bytes). */
export function signatureOf(secret: string, timestampSec: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestampSec}.${body}`, 'utf8').digest('hex');
}

/** The Lifeline-Signature value for `body` sent at `timestampSec`, with one v1 per secret (current first). */
export function signatureHeader(secrets: readonly string[], timestampSec: number, body: string): string {
  if (secrets.length === 0) throw new Error('A webhook needs at least one signing secret.');
  return [`t=${timestampSec}`, ...secrets.map((secret) => `v1=${signatureOf(secret, timestampSec, body)}`)].join(',');
}

export type VerifyResult =
  | { ok: true; timestampSec: number }
  | { ok: false; reason: 'malformed_header' | 'no_matching_signature' | 'timestamp_out_of_tolerance' };

/**
 * Checks a received request the way the docs tell receivers to: parse `t` and every `v1`, recompute the HMAC over
 * the raw body exactly as received, compare in constant time, and refuse a timestamp more than `toleranceSec` away.
 */
export function verifySignature(
  header: string | undefined,
  rawBody: string,
  secret: string,
  options: { toleranceSec?: number; nowSec?: number } = {},
): VerifyResult {
  if (!header) return { ok: false, reason: 'malformed_header' };
  let timestamp: number | null = null;
  const candidates: string[] = [];
  for (const part of header.split(',')) {
    const separator = part.indexOf('=');
    if (separator < 0) continue;
    const key = part.slice(0, separator).trim();
    const value = part.slice(separator + 1).trim();
    if (key === 't' && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    else if (key === 'v1' && /^[0-9a-f]{64}$/.test(value)) candidates.push(value);
  }
  if (timestamp === null || candidates.length === 0) return { ok: false, reason: 'malformed_header' };
  const expected = Buffer.from(signatureOf(secret, timestamp, rawBody), 'hex');
  const matches = candidates.some((candidate) => timingSafeEqual(Buffer.from(candidate, 'hex'), expected));
  if (!matches) return { ok: false, reason: 'no_matching_signature' };
  const nowSec = options.nowSec ?? Math.floor(Date.now() / 1000);
  if (Math.abs(nowSec - timestamp) > (options.toleranceSec ?? DEFAULT_TOLERANCE_SEC)) return { ok: false, reason: 'timestamp_out_of_tolerance' };
  return { ok: true, timestampSec: timestamp };
}
