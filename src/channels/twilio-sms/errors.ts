// Twilio's error codes and what each means for the business: the category failover decides by, and a plain
// explanation. Used for REST answers (send, account check) and for the ErrorCode of failed status callbacks.
import { type ErrorRule, ProviderError } from '../types.js';

const CHECK_NUMBER = 'Check the number with the customer; Lifeline will use their other channels.';

/** Provider code → meaning. Codes from Twilio's error dictionary (twilio.com/docs/api/errors). */
export const TWILIO_ERRORS: Readonly<Record<string, ErrorRule>> = {
  '20003': {
    category: 'auth',
    explanation: 'Twilio did not accept the Account SID and Auth Token. Copy them again from the Twilio Console (Account info) into the channel settings.',
  },
  '20404': {
    category: 'auth',
    explanation: 'Twilio does not know this Account SID. Check the Account SID in the channel settings against the Twilio Console.',
  },
  '20429': {
    category: 'rate_limited',
    explanation: 'Twilio is receiving too many requests from this account at once. Lifeline will retry shortly.',
  },
  '20500': { category: 'transient', explanation: 'Twilio had an internal error. Lifeline will retry shortly.' },
  '20503': { category: 'transient', explanation: 'Twilio is temporarily unavailable. Lifeline will retry shortly.' },
  '21211': {
    category: 'invalid_recipient',
    explanation: `Twilio says the customer's phone number is not a valid number. ${CHECK_NUMBER}`,
  },
  '21217': {
    category: 'invalid_recipient',
    explanation: `Twilio says the customer's phone number does not appear to be valid. ${CHECK_NUMBER}`,
  },
  '21614': {
    category: 'invalid_recipient',
    explanation: `The customer's number is not a mobile number, so it cannot receive text messages. ${CHECK_NUMBER}`,
  },
  '21635': {
    category: 'invalid_recipient',
    explanation: `The customer's number is a landline, which cannot receive text messages. ${CHECK_NUMBER}`,
  },
  '21612': {
    category: 'invalid_recipient',
    explanation:
      "Twilio cannot deliver texts from this sender to the customer's number (the carrier or country does not accept this kind of sender). Lifeline will use the customer's other channels; if it happens for a whole country, check the country's SMS rules in Twilio.",
  },
  '21408': {
    category: 'account_restricted',
    explanation:
      "This Twilio account is not allowed to text the customer's country. Turn the country on in the Twilio Console (Messaging → Settings → Geo permissions); meanwhile Lifeline will use the customer's other channels.",
  },
  '21606': {
    category: 'account_restricted',
    explanation: 'The sender number of this channel cannot send text messages. Check in the Twilio Console that the number belongs to this account and is SMS-capable.',
  },
  '21608': {
    category: 'account_restricted',
    explanation: "This is a Twilio trial account, which can only text verified numbers. Upgrade the account in the Twilio Console; meanwhile Lifeline will use the customer's other channels.",
  },
  '21610': {
    category: 'recipient_blocked',
    explanation: "The customer replied STOP to this number, so Twilio will not deliver texts to them until they reply START. Lifeline will use the customer's other channels.",
  },
  '21617': {
    category: 'unknown',
    explanation: 'The text is longer than the 1,600 characters Twilio accepts. Shorten the message and send it again.',
  },
  '30001': {
    category: 'rate_limited',
    explanation: 'Twilio had too many messages queued for this sender and dropped this one. Lifeline will retry it more slowly.',
  },
  '30002': {
    category: 'account_restricted',
    explanation: "Twilio has suspended this account. Check the account status and billing in the Twilio Console; meanwhile Lifeline will use the customer's other channels.",
  },
  '30003': {
    category: 'invalid_recipient',
    explanation: "The customer's phone could not be reached (switched off or out of coverage). Lifeline will use the customer's other channels.",
  },
  '30004': {
    category: 'recipient_blocked',
    explanation: "The message was blocked: the customer has blocked this sender or their carrier does not allow it. Lifeline will use the customer's other channels.",
  },
  '30005': {
    category: 'invalid_recipient',
    explanation: `The customer's number is unknown to their carrier or no longer in service. ${CHECK_NUMBER}`,
  },
  '30006': {
    category: 'invalid_recipient',
    explanation: `The customer's number is a landline or its carrier cannot receive texts. ${CHECK_NUMBER}`,
  },
  // Carrier filtering judges the business's traffic (unregistered A2P sender, spam-like content), not the
  // customer: it is an account matter, and other customers' messages will be filtered too until it is fixed.
  '30007': {
    category: 'account_restricted',
    explanation:
      "The customer's carrier filtered the message as spam or as coming from an unregistered sender. Register the number for business texting (A2P 10DLC in the US) in the Twilio Console and avoid link shorteners; meanwhile Lifeline will use the customer's other channels.",
  },
  '30008': {
    category: 'unknown',
    explanation: 'The carrier could not deliver the message and did not say why. Lifeline will use the customer\'s other channels.',
  },
};

const defaultRules = {
  transient: { category: 'transient', explanation: 'Twilio is not answering properly right now. Lifeline will retry shortly.' },
  rateLimited: { category: 'rate_limited', explanation: TWILIO_ERRORS['20429']!.explanation },
  unknown: { category: 'unknown', explanation: 'Twilio refused the message without a reason Lifeline knows.' },
} satisfies Record<string, ErrorRule>;

/** What a Twilio error code means; unknown codes keep Twilio's own message so the owner can look it up. */
export function twilioErrorRule(code: string | number | null | undefined, message?: string | null): ErrorRule {
  const known = code == null ? undefined : TWILIO_ERRORS[String(code)];
  if (known) return known;
  if (code == null) return defaultRules.unknown;
  const detail = message ? `: ${message}` : '';
  return { category: 'unknown', explanation: `Twilio refused with error ${code}${detail}. See https://www.twilio.com/docs/api/errors/${code}.` };
}

export interface TwilioErrorBody {
  code?: number | string | null;
  message?: string | null;
}

/**
 * Turns a failed REST answer into a ProviderError. The code decides where Twilio gives one; the HTTP status
 * decides otherwise (5xx transient, 429 rate-limited, 401 auth).
 */
export function classifyTwilioError(httpStatus: number, body: TwilioErrorBody | null, retryAfterHeader?: string | null): ProviderError {
  const code = body?.code ?? null;
  const retryAfterSec = parseRetryAfter(retryAfterHeader);
  let rule: ErrorRule;
  if (code != null && TWILIO_ERRORS[String(code)]) rule = TWILIO_ERRORS[String(code)]!;
  else if (httpStatus === 429) rule = defaultRules.rateLimited;
  else if (httpStatus >= 500) rule = defaultRules.transient;
  else if (httpStatus === 401) rule = TWILIO_ERRORS['20003']!;
  else rule = twilioErrorRule(code, body?.message);
  const retryAfter = rule.category === 'rate_limited' ? (retryAfterSec ?? 1) : null;
  return new ProviderError(rule.category, rule.explanation, { providerCode: code ?? `http_${httpStatus}`, retryAfterSec: retryAfter });
}

function parseRetryAfter(value: string | null | undefined): number | null {
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds);
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

/** Network failures and timeouts: Twilio may or may not have the request, and retrying is the only move. */
export function networkError(error: unknown): ProviderError {
  const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
  const explanation = timedOut
    ? 'Twilio did not answer within 10 seconds. Lifeline will retry shortly.'
    : 'Lifeline could not reach Twilio (network error). Lifeline will retry shortly.';
  return new ProviderError('transient', explanation, { providerCode: timedOut ? 'timeout' : 'network', cause: error });
}
