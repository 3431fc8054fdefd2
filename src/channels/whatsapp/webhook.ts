// WhatsApp Cloud API webhooks → InboundEvents: customer messages (text, media, button and list replies),
// contact names, sent/delivered/read/failed statuses and STOP/START keywords. Pure: no I/O.
import { type GraphErrorBody, metaWords } from '../meta-graph/errors.js';
import { type Attachment, type DeliveryStatus, type InboundEvent, WebhookParseError } from '../types.js';
import { classifyWhatsAppError } from './errors.js';

type Json = Record<string, unknown>;

const isRecord = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const records = (value: unknown): Json[] => (Array.isArray(value) ? value.filter(isRecord) : []);
const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined);

const OPT_OUT = new Set(['STOP', 'BAJA', 'UNSUBSCRIBE']);
const OPT_IN = new Set(['START', 'ALTA']);
const MEDIA_TYPES = ['image', 'video', 'audio', 'document', 'sticker'] as const;
const STATUSES: Record<string, DeliveryStatus> = { sent: 'sent', delivered: 'delivered', read: 'read', played: 'read', failed: 'failed' };

/** WhatsApp sends "51987654321"; Lifeline's identities are E.164 with the '+'. */
export const e164FromWaId = (waId: string): string => `+${waId.replace(/\D/g, '')}`;

/** Unix seconds as a string → milliseconds; a missing or odd timestamp becomes "now" rather than 1970. */
function millis(timestamp: unknown): number {
  const seconds = Number(str(timestamp));
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : Date.now();
}

function parseBody(body: Buffer): Json {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw new WebhookParseError('the body is not JSON');
  }
  if (!isRecord(parsed) || !Array.isArray(parsed.entry)) throw new WebhookParseError('expected a JSON object with an "entry" array');
  return parsed;
}

function mediaOf(message: Json, type: string): { text: string; attachments: Attachment[] } {
  const media = isRecord(message[type]) ? (message[type] as Json) : {};
  // Cloud API gives a media id to download with the token (newer payloads may add a url): keep what was given.
  const url = str(media.url) ?? str(media.id) ?? '';
  const attachment: Attachment = { url };
  const mime = str(media.mime_type);
  if (mime) attachment.contentType = mime;
  const filename = str(media.filename);
  if (filename) attachment.filename = filename;
  return { text: str(media.caption) ?? '', attachments: url ? [attachment] : [] };
}

function interactiveText(message: Json): string {
  const interactive = isRecord(message.interactive) ? message.interactive : {};
  const reply = isRecord(interactive.button_reply) ? interactive.button_reply : isRecord(interactive.list_reply) ? interactive.list_reply : {};
  return str(reply.title) ?? str(reply.id) ?? '';
}

function locationText(message: Json): string {
  const l = isRecord(message.location) ? message.location : {};
  const place = [str(l.name), str(l.address)].filter(Boolean).join(', ');
  return `Location: ${place ? `${place} ` : ''}(${str(l.latitude) ?? '?'}, ${str(l.longitude) ?? '?'})`;
}

/** What the customer sent, as timeline text and attachments; null for events that are not messages. */
function contentOf(message: Json): { text: string; attachments: Attachment[] } | null {
  const type = str(message.type) ?? 'unknown';
  if (type === 'text') return { text: str(isRecord(message.text) ? message.text.body : undefined) ?? '', attachments: [] };
  if ((MEDIA_TYPES as readonly string[]).includes(type)) return mediaOf(message, type);
  // Quick-reply buttons of templates arrive as `button`, interactive buttons and lists as `interactive`.
  if (type === 'button') return { text: str(isRecord(message.button) ? message.button.text : undefined) ?? '', attachments: [] };
  if (type === 'interactive') return { text: interactiveText(message), attachments: [] };
  if (type === 'location') return { text: locationText(message), attachments: [] };
  if (type === 'reaction') {
    const emoji = str(isRecord(message.reaction) ? message.reaction.emoji : undefined);
    return emoji ? { text: `Reacted ${emoji}`, attachments: [] } : null;
  }
  // "system" (customer changed number) is not something the customer wrote.
  if (type === 'system') return null;
  return { text: `[${type} message: open WhatsApp to see it]`, attachments: [] };
}

function keywordEvent(text: string, from: string, at: number): InboundEvent | null {
  const keyword = text.trim().toUpperCase();
  if (OPT_OUT.has(keyword)) return { type: 'opt_out', identityKind: 'whatsapp', from, at, keyword };
  if (OPT_IN.has(keyword)) return { type: 'opt_in', identityKind: 'whatsapp', from, at, keyword };
  return null;
}

function messageEvents(message: Json, names: Map<string, string>, fallbackName: string | undefined): InboundEvent[] {
  const waId = str(message.from);
  const id = str(message.id);
  const content = contentOf(message);
  if (!waId || !id || !content) return [];
  const from = e164FromWaId(waId);
  const at = millis(message.timestamp);
  const event: InboundEvent = {
    type: 'message',
    identityKind: 'whatsapp',
    from,
    fromName: names.get(waId) ?? fallbackName ?? null,
    providerMessageId: id,
    text: content.text,
    at,
  };
  if (content.attachments.length > 0) event.attachments = content.attachments;
  const context = isRecord(message.context) ? str(message.context.id) : undefined;
  if (context) event.inReplyTo = [context];
  // The message comes first so the identity exists when the consent change is applied.
  const keyword = str(message.type) === 'text' ? keywordEvent(content.text, from, at) : null;
  return keyword ? [event, keyword] : [event];
}

type StatusError = NonNullable<Extract<InboundEvent, { type: 'status' }>['error']>;

/** A `failed` status's first error, classified with the same table as synchronous refusals. */
export function statusError(status: Json): StatusError {
  const raw = records(status.errors)[0];
  if (!raw) return { category: 'unknown', explanation: 'WhatsApp could not deliver the message and gave no reason.', providerCode: null };
  const code = typeof raw.code === 'number' ? raw.code : Number(str(raw.code));
  const details = isRecord(raw.error_data) ? str(raw.error_data.details) : undefined;
  const error: GraphErrorBody = {
    code: Number.isFinite(code) ? code : undefined,
    message: str(raw.message) ?? str(raw.title),
    error_data: details ? { details } : undefined,
  };
  const rule = classifyWhatsAppError(error);
  const providerCode = error.code === undefined ? null : String(error.code);
  if (rule) return { category: rule.category, explanation: rule.explanation, providerCode };
  return { category: 'unknown', explanation: `WhatsApp could not deliver the message. ${metaWords(error)}`, providerCode };
}

function statusEvent(status: Json): InboundEvent | null {
  const id = str(status.id);
  const mapped = STATUSES[str(status.status) ?? ''];
  if (!id || !mapped) return null;
  const event: InboundEvent = { type: 'status', providerMessageId: id, status: mapped, at: millis(status.timestamp) };
  if (mapped === 'failed') event.error = statusError(status);
  return event;
}

function changeEvents(value: Json): InboundEvent[] {
  const contacts = records(value.contacts);
  const names = new Map<string, string>();
  for (const c of contacts) {
    const name = str(isRecord(c.profile) ? c.profile.name : undefined);
    const waId = str(c.wa_id);
    if (name && waId) names.set(waId, name);
  }
  // With a single contact its name applies even if wa_id differs in format from `from`.
  const single = contacts.length === 1 ? [...names.values()][0] : undefined;
  return [
    ...records(value.messages).flatMap((m) => messageEvents(m, names, single)),
    ...records(value.statuses).flatMap((s) => statusEvent(s) ?? []),
  ];
}

/**
 * Every entry and every change: Meta batches. Changes for another phone number of the same business are
 * skipped, because they belong to that number's channel, not this one.
 */
export function parseWhatsAppWebhook(body: Buffer, phoneNumberId: string): InboundEvent[] {
  const payload = parseBody(body);
  if (payload.object !== undefined && payload.object !== 'whatsapp_business_account') return [];
  return records(payload.entry).flatMap((entry) =>
    records(entry.changes).flatMap((change) => {
      if (!isRecord(change.value)) return [];
      if (change.field !== undefined && change.field !== 'messages') return [];
      const metadata = isRecord(change.value.metadata) ? change.value.metadata : {};
      const target = str(metadata.phone_number_id);
      if (target !== undefined && target !== phoneNumberId) return [];
      return changeEvents(change.value);
    }),
  );
}
