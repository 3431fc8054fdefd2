// Meta's webhook protections, shared by WhatsApp, Messenger and Instagram: the `X-Hub-Signature-256` HMAC over
// the raw body (keyed by the app secret) and the `hub.mode/hub.verify_token/hub.challenge` GET handshake.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { WebhookRequest, WebhookVerdict } from '../types.js';

const SIGNATURE_HEADER = 'x-hub-signature-256';

function header(request: WebhookRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Equal-length buffers only, because timingSafeEqual throws otherwise; a length mismatch is a mismatch. */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

/** `sha256=<hex>` for these exact bytes: Meta signs what it sent, so the body is never re-serialised. */
export function metaSignatureOf(appSecret: string, rawBody: Buffer): string {
  return `sha256=${createHmac('sha256', appSecret).update(rawBody).digest('hex')}`;
}

export function verifyMetaSignature(appSecret: string, request: WebhookRequest): WebhookVerdict {
  const given = header(request, SIGNATURE_HEADER)?.trim();
  if (!given) return { accept: false, status: 401, reason: 'The webhook has no X-Hub-Signature-256 header: it did not come from Meta.' };
  // Hex is case-insensitive; Meta sends lowercase, but accept either rather than reject a genuine call.
  const normalised = given.toLowerCase();
  if (!constantTimeEqual(normalised, metaSignatureOf(appSecret, request.rawBody))) {
    return {
      accept: false,
      status: 403,
      reason: 'The webhook signature does not match: check that the channel\'s appSecret is the secret of the Meta app sending the webhooks.',
    };
  }
  return { accept: true };
}

/** Reads a query parameter from the full URL, since `hub.mode`-style keys may be mangled by query parsers. */
function queryParam(request: WebhookRequest, name: string): string | undefined {
  try {
    const value = new URL(request.url).searchParams.get(name);
    if (value !== null) return value;
  } catch {
    // Not an absolute URL: fall back to the parsed query.
  }
  return request.query[name];
}

/** Meta's subscription check: echo `hub.challenge` when the verify token matches, 403 otherwise. */
export function answerMetaHandshake(verifyToken: string, request: WebhookRequest): WebhookVerdict {
  const mode = queryParam(request, 'hub.mode');
  const token = queryParam(request, 'hub.verify_token') ?? '';
  const challenge = queryParam(request, 'hub.challenge');
  if (mode !== 'subscribe' || challenge === undefined) {
    return { accept: false, status: 403, reason: 'This is not a Meta webhook subscription request (hub.mode=subscribe with hub.challenge).' };
  }
  if (!constantTimeEqual(token, verifyToken)) {
    return { accept: false, status: 403, reason: 'The verify token does not match the channel\'s verifyToken: use the same value in the Meta app\'s webhook settings.' };
  }
  return { accept: true, reply: { status: 200, body: challenge, contentType: 'text/plain; charset=utf-8' } };
}
