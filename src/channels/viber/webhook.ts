// Viber callbacks in, as Lifeline events: the X-Viber-Content-Signature check (hex HMAC-SHA256 of the raw body,
// keyed by the auth token) and the parsing of message, receipt and subscription callbacks. Pure: no I/O.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { type Attachment, type InboundEvent, type WebhookRequest, type WebhookVerdict, WebhookParseError } from '../types.js';
import { parseViberJson } from './api.js';

export const SIGNATURE_HEADER = 'x-viber-content-signature';

interface ViberUser {
  id: string;
  name?: string;
}

interface ViberMessage {
  type?: string;
  text?: string;
  media?: string;
  file_name?: string;
  location?: { lat?: number; lon?: number };
  contact?: { name?: string; phone_number?: string };
}

interface ViberCallback {
  event: string;
  timestamp?: number;
  message_token?: string;
  sender?: ViberUser;
  user?: ViberUser;
  user_id?: string;
  message?: ViberMessage;
  desc?: string;
}

export function viberSignatureOf(authToken: string, rawBody: Buffer): string {
  return createHmac('sha256', authToken).update(rawBody).digest('hex');
}

function headerValue(request: WebhookRequest, name: string): string | undefined {
  const key = Object.keys(request.headers).find((k) => k.toLowerCase() === name);
  const value = key === undefined ? undefined : request.headers[key];
  return Array.isArray(value) ? value[0] : value;
}

export function verifyViberSignature(authToken: string, request: WebhookRequest): WebhookVerdict {
  const given = headerValue(request, SIGNATURE_HEADER)?.trim().toLowerCase();
  if (!given) return { accept: false, status: 403, reason: 'The webhook has no X-Viber-Content-Signature header: it did not come from Viber.' };
  const expected = Buffer.from(viberSignatureOf(authToken, request.rawBody), 'utf8');
  const actual = Buffer.from(given, 'utf8');
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
    return {
      accept: false,
      status: 403,
      reason: 'The webhook signature does not match: check that the channel\'s authToken is the token of the Viber bot sending the webhooks.',
    };
  }
  return { accept: true };
}

export function parseViberWebhook(body: Buffer): InboundEvent[] {
  let value: unknown;
  try {
    value = parseViberJson(body.toString('utf8'));
  } catch {
    throw new WebhookParseError('the body is not JSON');
  }
  if (!isRecord(value) || typeof value.event !== 'string') throw new WebhookParseError('a Viber callback needs an "event"');
  const callback = value as unknown as ViberCallback;
  const at = typeof callback.timestamp === 'number' ? callback.timestamp : Date.now();
  switch (callback.event) {
    case 'message':
      return [messageEvent(callback, at)];
    case 'delivered':
    case 'seen':
    case 'failed':
      return [statusEvent(callback, at)];
    case 'subscribed':
      return [{ type: 'opt_in', identityKind: 'viber', from: requireId(callback.user?.id, 'user.id'), at, keyword: 'subscribed' }];
    case 'unsubscribed':
      return [{ type: 'opt_out', identityKind: 'viber', from: requireId(callback.user_id, 'user_id'), at, keyword: 'unsubscribed' }];
    default:
      // `webhook` (Viber checking the URL at set_webhook), and `conversation_started`: the customer only opened the
      // chat screen (e.g. from a link). It is not a subscription (Viber allows one welcome message, nothing more)
      // and nothing was said, so it neither grants consent nor belongs in the timeline.
      return [];
  }
}

function messageEvent(callback: ViberCallback, at: number): InboundEvent {
  const sender = callback.sender;
  const message = callback.message;
  if (!isRecord(message)) throw new WebhookParseError('a Viber message callback needs a "message"');
  return {
    type: 'message',
    identityKind: 'viber',
    from: requireId(sender?.id, 'sender.id'),
    fromName: sender?.name?.trim() || null,
    providerMessageId: requireId(callback.message_token, 'message_token'),
    text: textOf(message),
    attachments: attachmentsOf(message),
    at,
  };
}

function statusEvent(callback: ViberCallback, at: number): InboundEvent {
  const providerMessageId = requireId(callback.message_token, 'message_token');
  if (callback.event === 'delivered') return { type: 'status', providerMessageId, status: 'delivered', at };
  if (callback.event === 'seen') return { type: 'status', providerMessageId, status: 'read', at };
  const reason = callback.desc?.trim();
  return {
    type: 'status',
    providerMessageId,
    status: 'failed',
    at,
    error: {
      category: 'unknown',
      explanation: `Viber could not deliver the message${reason ? `: ${reason}` : ''}. Lifeline will use the customer's other channels.`,
      providerCode: 'failed',
    },
  };
}

/** What an agent should read for each message type; media stays at Viber's URL (it expires, like Viber's own). */
function textOf(message: ViberMessage): string {
  switch (message.type) {
    case 'url':
      return message.media ?? message.text ?? '';
    case 'location':
      return `Location: ${message.location?.lat ?? '?'}, ${message.location?.lon ?? '?'}`;
    case 'contact':
      return `Contact: ${[message.contact?.name, message.contact?.phone_number].filter(Boolean).join(' ')}`;
    case 'sticker':
      return message.text ?? '[sticker]';
    default:
      return message.text ?? '';
  }
}

function attachmentsOf(message: ViberMessage): Attachment[] {
  if (!message.media || !['picture', 'video', 'file'].includes(message.type ?? '')) return [];
  const contentType = message.type === 'picture' ? 'image/jpeg' : message.type === 'video' ? 'video/mp4' : undefined;
  return [{ url: message.media, ...(contentType ? { contentType } : {}), ...(message.file_name ? { filename: message.file_name } : {}) }];
}

function requireId(value: unknown, field: string): string {
  if (typeof value === 'string' && value.trim()) return value.trim();
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  throw new WebhookParseError(`a Viber callback needs ${field}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
