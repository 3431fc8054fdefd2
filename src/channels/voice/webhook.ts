// Twilio Voice status callbacks into Lifeline events: a call to the business that nobody answered becomes a message
// in the caller's timeline ("Missed call from …"), so staff see it next to everything else and call back. Pure.
import { type InboundEvent, WebhookParseError } from '../types.js';
import { field, type FormParams, parseForm } from '../twilio-sms/signature.js';
import { twilioPhone } from '../twilio-sms/webhook.js';

/** Final call statuses that mean nobody picked up, with how the timeline says it. */
const MISSED: Readonly<Record<string, string>> = {
  'no-answer': 'no answer',
  busy: 'line busy',
  failed: 'the call failed',
  canceled: 'the caller hung up before it was answered',
};

/**
 * Why the call was missed, or null when it was answered or is still going. A call Twilio marks `completed` was
 * still missed when the <Dial> to staff went unanswered (DialCallStatus) or it lasted no time at all.
 */
export function missedReason(params: FormParams): string | null {
  const status = field(params, 'CallStatus')?.toLowerCase();
  if (!status) return null;
  if (MISSED[status]) return MISSED[status];
  if (status !== 'completed') return null;
  const dialStatus = field(params, 'DialCallStatus')?.toLowerCase();
  if (dialStatus && MISSED[dialStatus]) return MISSED[dialStatus];
  if (dialStatus === 'completed' || dialStatus === 'answered') return null;
  return field(params, 'CallDuration') === '0' ? 'no answer' : null;
}

export function parseVoiceWebhook(body: Buffer, contentType: string | undefined, now = Date.now()): InboundEvent[] {
  if (contentType && !contentType.toLowerCase().includes('application/x-www-form-urlencoded')) {
    throw new WebhookParseError(`expected a form post, got ${contentType}`);
  }
  const params = parseForm(body);
  const callSid = field(params, 'CallSid');
  const rawFrom = field(params, 'From') ?? field(params, 'Caller');
  if (!callSid || !rawFrom || !field(params, 'CallStatus')) throw new WebhookParseError('the call webhook needs CallSid, From and CallStatus');
  // Calls the business placed come back with the business number as From: not a customer calling in.
  const direction = field(params, 'Direction') ?? 'inbound';
  if (direction.startsWith('outbound')) return [];
  const reason = missedReason(params);
  if (!reason) return [];
  const from = twilioPhone(rawFrom);
  // The CallSid is the message id: Twilio repeats callbacks, and one call is one missed call.
  const stamped = Date.parse(field(params, 'Timestamp') ?? '');
  const at = Number.isNaN(stamped) ? now : stamped;
  return [{ type: 'message', identityKind: 'phone', from, providerMessageId: callSid, text: `Missed call from ${from} (${reason}).`, at }];
}
