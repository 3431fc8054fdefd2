// Twilio Messaging webhooks into Lifeline events: an inbound SMS/MMS (with STOP/START keywords turned into consent
// changes) or a StatusCallback moving an outbound message forward. Pure: no I/O.
import { type Attachment, type DeliveryStatus, type InboundEvent, WebhookParseError } from '../types.js';
import { twilioErrorRule } from './errors.js';
import { field, type FormParams, parseForm } from './signature.js';

/** Twilio's standard opt-out words (twilio.com/docs/messaging/tutorials/advanced-opt-out) and Spanish BAJA. */
export const OPT_OUT_KEYWORDS: ReadonlySet<string> = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT', 'BAJA']);
export const OPT_IN_KEYWORDS: ReadonlySet<string> = new Set(['START', 'YES', 'UNSTOP', 'ALTA']);

/**
 * The consent change a message asks for. Like Twilio, only a message that is the keyword alone counts ("stop",
 * " Stop! "), never a sentence that contains it ("don't stop sending offers").
 */
export function consentKeyword(text: string): { type: 'opt_out' | 'opt_in'; keyword: string } | null {
  const word = text.trim().replace(/[.!¡¿?]+/g, '').trim().toUpperCase();
  if (OPT_OUT_KEYWORDS.has(word)) return { type: 'opt_out', keyword: word };
  if (OPT_IN_KEYWORDS.has(word)) return { type: 'opt_in', keyword: word };
  return null;
}

/** Twilio sends E.164 with '+', but '+' decoded carelessly becomes a space; digits alone are international too. */
export function twilioPhone(raw: string): string {
  const value = raw.trim();
  return /^\d{7,15}$/.test(value) ? `+${value}` : value;
}

const DELIVERY: Readonly<Record<string, DeliveryStatus>> = {
  sent: 'sent',
  delivered: 'delivered',
  read: 'read',
  undelivered: 'failed',
  failed: 'failed',
  canceled: 'failed',
};

/** Statuses before Twilio hands the message on (queued, sending, accepted, scheduled…) change nothing here. */
function statusEvent(params: FormParams, status: string, at: number): InboundEvent[] {
  const providerMessageId = field(params, 'MessageSid') ?? field(params, 'SmsSid');
  if (!providerMessageId) throw new WebhookParseError('the status callback has no MessageSid');
  const delivery = DELIVERY[status];
  if (!delivery) return [];
  if (delivery !== 'failed') return [{ type: 'status', providerMessageId, status: delivery, at }];
  const code = field(params, 'ErrorCode') || null;
  const rule =
    status === 'canceled'
      ? { category: 'unknown' as const, explanation: 'The message was canceled before Twilio sent it.' }
      : twilioErrorRule(code, field(params, 'ErrorMessage'));
  return [{ type: 'status', providerMessageId, status: 'failed', at, error: { ...rule, providerCode: code } }];
}

function attachments(params: FormParams): Attachment[] {
  const count = Number(field(params, 'NumMedia') ?? '0');
  if (!Number.isInteger(count) || count < 0 || count > 10) throw new WebhookParseError('NumMedia is not a number from 0 to 10');
  const list: Attachment[] = [];
  for (let i = 0; i < count; i += 1) {
    const url = field(params, `MediaUrl${i}`);
    if (!url) throw new WebhookParseError(`MediaUrl${i} is missing although NumMedia is ${count}`);
    const contentType = field(params, `MediaContentType${i}`);
    list.push(contentType ? { url, contentType } : { url });
  }
  return list;
}

function inboundEvents(params: FormParams, at: number): InboundEvent[] {
  const providerMessageId = field(params, 'MessageSid') ?? field(params, 'SmsMessageSid') ?? field(params, 'SmsSid');
  const rawFrom = field(params, 'From');
  if (!providerMessageId || !rawFrom) throw new WebhookParseError('the message has no MessageSid or From');
  const from = twilioPhone(rawFrom);
  const text = field(params, 'Body') ?? '';
  const message: InboundEvent = { type: 'message', identityKind: 'phone', from, providerMessageId, text, attachments: attachments(params), at };
  // Twilio's Advanced Opt-Out tells us outright (OptOutType); otherwise the keyword list decides.
  const optOutType = field(params, 'OptOutType')?.toUpperCase();
  const keyword = consentKeyword(text);
  const consent =
    optOutType === 'STOP' ? { type: 'opt_out' as const, keyword: keyword?.keyword ?? 'STOP' }
    : optOutType === 'START' ? { type: 'opt_in' as const, keyword: keyword?.keyword ?? 'START' }
    : keyword;
  // The message first: a customer writing STOP for the first time must exist as a contact before consent changes.
  if (!consent) return [message];
  return [message, { type: consent.type, identityKind: 'phone', from, at, keyword: consent.keyword }];
}

/** Parses a Twilio Messaging webhook body (form-encoded). */
export function parseTwilioSmsWebhook(body: Buffer, contentType: string | undefined, now = Date.now()): InboundEvent[] {
  if (contentType && !contentType.toLowerCase().includes('application/x-www-form-urlencoded')) {
    throw new WebhookParseError(`expected a form post, got ${contentType}`);
  }
  const params = parseForm(body);
  if (params.size === 0) throw new WebhookParseError('the body has no parameters');
  const status = field(params, 'MessageStatus')?.toLowerCase();
  if (status && status !== 'received' && status !== 'receiving') return statusEvent(params, status, now);
  return inboundEvents(params, now);
}
