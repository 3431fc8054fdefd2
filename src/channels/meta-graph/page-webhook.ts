// Messenger (`object: "page"`) and Instagram (`object: "instagram"`) webhooks → InboundEvents: customer messages
// and postbacks, delivery receipts by message id, Instagram's read-by-id. Echoes of our own sends are skipped. Pure.
import type { IdentityKind } from '../../core/identity.js';
import { type Attachment, type InboundEvent, WebhookParseError } from '../types.js';

type Json = Record<string, unknown>;

const isRecord = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const records = (value: unknown): Json[] => (Array.isArray(value) ? value.filter(isRecord) : []);
const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined);
const millis = (value: unknown): number => (typeof value === 'number' && value > 0 ? value : Date.now());

export interface PageWebhookSpec {
  object: 'page' | 'instagram';
  identityKind: Extract<IdentityKind, 'messenger' | 'instagram'>;
}

const CONTENT_TYPES: Record<string, string> = { image: 'image/*', video: 'video/*', audio: 'audio/*' };

function attachmentsOf(message: Json): Attachment[] {
  return records(message.attachments).flatMap((a) => {
    const url = str(isRecord(a.payload) ? a.payload.url : undefined);
    if (!url) return [];
    const contentType = CONTENT_TYPES[str(a.type) ?? ''];
    return [contentType ? { url, contentType } : { url }];
  });
}

function messageEvent(event: Json, message: Json, spec: PageWebhookSpec): InboundEvent[] {
  // Our own sends come back as echoes; deleted messages are not something to show.
  if (message.is_echo === true || message.is_deleted === true) return [];
  const from = str(isRecord(event.sender) ? event.sender.id : undefined);
  const mid = str(message.mid);
  if (!from || !mid) return [];
  const attachments = attachmentsOf(message);
  const text = str(message.text) ?? (message.is_unsupported === true ? `[unsupported message: open ${spec.identityKind === 'instagram' ? 'Instagram' : 'Messenger'} to see it]` : '');
  const out: InboundEvent = { type: 'message', identityKind: spec.identityKind, from, fromName: null, providerMessageId: mid, text, at: millis(event.timestamp) };
  if (attachments.length > 0) out.attachments = attachments;
  const replyTo = isRecord(message.reply_to) ? str(message.reply_to.mid) : undefined;
  if (replyTo) out.inReplyTo = [replyTo];
  return [out];
}

// A button press is the customer's answer: show the button's title.
function postbackEvent(event: Json, postback: Json, spec: PageWebhookSpec): InboundEvent[] {
  const from = str(isRecord(event.sender) ? event.sender.id : undefined);
  if (!from) return [];
  const at = millis(event.timestamp);
  const mid = str(postback.mid) ?? `postback:${from}:${at}`;
  const text = str(postback.title) ?? str(postback.payload) ?? '';
  return [{ type: 'message', identityKind: spec.identityKind, from, fromName: null, providerMessageId: mid, text, at }];
}

/**
 * Receipts name messages by id where Meta gives them: `delivery.mids` (Messenger) and Instagram's `read.mid`. A bare
 * watermark (Messenger's reads, and deliveries without mids) means "everything sent to this customer before this
 * time": a status_up_to event for the customer, who is the event's sender.
 */
function receiptEvents(event: Json, spec: PageWebhookSpec): InboundEvent[] {
  const at = millis(event.timestamp);
  const customer = str(isRecord(event.sender) ? event.sender.id : undefined);
  const upTo = (status: 'delivered' | 'read', watermark: unknown): InboundEvent[] =>
    customer && typeof watermark === 'number' && watermark > 0
      ? [{ type: 'status_up_to', identityKind: spec.identityKind, from: customer, status, upTo: watermark, at }]
      : [];
  if (isRecord(event.delivery)) {
    const mids = (Array.isArray(event.delivery.mids) ? event.delivery.mids : []).filter((mid): mid is string => typeof mid === 'string');
    if (mids.length === 0) return upTo('delivered', event.delivery.watermark);
    const when = millis(event.delivery.watermark ?? event.timestamp);
    return mids.map((mid) => ({ type: 'status' as const, providerMessageId: mid, status: 'delivered' as const, at: when }));
  }
  if (isRecord(event.read)) {
    const mid = str(event.read.mid);
    return mid ? [{ type: 'status', providerMessageId: mid, status: 'read', at }] : upTo('read', event.read.watermark);
  }
  return [];
}

function eventsOf(event: Json, spec: PageWebhookSpec): InboundEvent[] {
  if (isRecord(event.message)) return messageEvent(event, event.message, spec);
  if (isRecord(event.postback)) return postbackEvent(event, event.postback, spec);
  return receiptEvents(event, spec);
}

export function parsePageWebhook(body: Buffer, spec: PageWebhookSpec): InboundEvent[] {
  let payload: unknown;
  try {
    payload = JSON.parse(body.toString('utf8'));
  } catch {
    throw new WebhookParseError('the body is not JSON');
  }
  if (!isRecord(payload) || !Array.isArray(payload.entry)) throw new WebhookParseError('expected a JSON object with an "entry" array');
  if (payload.object !== undefined && payload.object !== spec.object) return [];
  // Meta batches: several entries, each with several messaging events.
  return records(payload.entry).flatMap((entry) => records(entry.messaging).flatMap((event) => eventsOf(event, spec)));
}
