// Twilio's X-Twilio-Signature, shared by every Twilio-backed channel (SMS, voice): how the signature is computed,
// and the webhook check that answers 403 when it is missing or wrong.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { WebhookRequest, WebhookVerdict } from '../types.js';

/** A form body as Twilio sends it: a name may repeat, so every name maps to its values in order. */
export type FormParams = Map<string, string[]>;

export function parseForm(body: Buffer | string): FormParams {
  const params: FormParams = new Map();
  for (const [name, value] of new URLSearchParams(typeof body === 'string' ? body : body.toString('utf8'))) {
    const values = params.get(name);
    if (values) values.push(value);
    else params.set(name, [value]);
  }
  return params;
}

/** The first value of a form field, or undefined when absent. */
export const field = (params: FormParams, name: string): string | undefined => params.get(name)?.[0];

/**
 * base64(HMAC-SHA1(authToken, url + name1 + value1 + name2 + value2 …)) with names sorted, as twilio-node's
 * getExpectedTwilioSignature: a repeated name contributes its distinct values, sorted.
 */
export function twilioSignature(authToken: string, url: string, params: FormParams | Record<string, string>): string {
  const entries = params instanceof Map ? params : new Map(Object.entries(params).map(([k, v]) => [k, [v]]));
  let data = url;
  for (const name of [...entries.keys()].sort()) {
    for (const value of [...new Set(entries.get(name) ?? [])].sort()) data += name + value;
  }
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

const isForm = (contentType: string | undefined) => (contentType ?? '').toLowerCase().includes('application/x-www-form-urlencoded');

/**
 * Twilio signs the URL exactly as configured; proxies and SDKs disagree on whether the default port appears in
 * it, so both spellings are tried (as twilio-node's validateRequest does).
 */
function urlVariants(url: string): string[] {
  try {
    const parsed = new URL(url);
    const defaultPort = parsed.protocol === 'https:' ? '443' : parsed.protocol === 'http:' ? '80' : '';
    if (!defaultPort) return [url];
    const withPort = url.replace(`${parsed.protocol}//${parsed.host}`, `${parsed.protocol}//${parsed.hostname}:${defaultPort}`);
    const withoutPort = url.replace(`${parsed.protocol}//${parsed.hostname}:${defaultPort}`, `${parsed.protocol}//${parsed.hostname}`);
    return [...new Set([url, withPort, withoutPort])];
  } catch {
    return [url];
  }
}

function sameSignature(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Checks a webhook against the auth token. Form posts sign the URL plus every parameter received (Twilio adds
 * parameters without notice, so none is skipped); JSON posts carry `bodySHA256` in the URL and sign the URL alone.
 */
export function verifyTwilioRequest(authToken: string, request: WebhookRequest): WebhookVerdict {
  const given = headerValue(request.headers['x-twilio-signature']);
  if (!given) return { accept: false, status: 403, reason: 'The X-Twilio-Signature header is missing: this request did not come from Twilio.' };
  const bodyHash = URL.canParse(request.url) ? new URL(request.url).searchParams.get('bodySHA256') : null;
  const contentType = headerValue(request.headers['content-type']);
  let params: FormParams = new Map();
  if (bodyHash !== null) {
    const actual = createHash('sha256').update(request.rawBody).digest('hex');
    if (!sameSignature(actual, bodyHash.toLowerCase())) return { accept: false, status: 403, reason: 'The body does not match its bodySHA256 hash.' };
  } else if (isForm(contentType)) {
    params = parseForm(request.rawBody);
  }
  const valid = urlVariants(request.url).some((url) => sameSignature(twilioSignature(authToken, url, params), given));
  if (!valid) return { accept: false, status: 403, reason: 'The X-Twilio-Signature does not match: check the channel auth token and the webhook URL set in Twilio.' };
  return { accept: true, reply: EMPTY_TWIML };
}

/** An empty TwiML document: acknowledges the webhook and tells Twilio to send nothing back to the caller. */
export const EMPTY_TWIML = { status: 200, body: '<?xml version="1.0" encoding="UTF-8"?><Response/>', contentType: 'text/xml' } as const;
