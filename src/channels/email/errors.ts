// What an SMTP refusal means for the business: nodemailer's error (code, reply code, reply text, the command
// refused) → a Lifeline error category and a plain explanation. Pure, so every row is unit-tested.
import { type ErrorCategory, type ErrorRule, ProviderError } from '../types.js';

/** The fields of a nodemailer error that classification reads. */
export interface SmtpFailure {
  code?: string;
  responseCode?: number;
  response?: string;
  command?: string;
  message?: string;
}

const rule = (category: ErrorCategory, explanation: string): ErrorRule => ({ category, explanation });

const TRY_OTHER = 'Lifeline will use the customer\'s other channels.';

/** Network-level failures nodemailer reports by code, before any SMTP reply. */
const NETWORK_CODES: Record<string, ErrorRule> = {
  ECONNECTION: rule('transient', 'The mail server could not be reached or closed the connection. Lifeline will try again shortly.'),
  ETIMEDOUT: rule('transient', 'The mail server did not answer in time. Lifeline will try again shortly.'),
  ESOCKET: rule('transient', 'The connection to the mail server failed. Lifeline will try again shortly.'),
  EDNS: rule('transient', 'The mail server\'s name could not be looked up. Check the SMTP host in the email channel settings; Lifeline will try again.'),
  ETLS: rule('auth', 'A secure (TLS) connection to the mail server could not be set up. Check the SMTP port and "secure" setting of the email channel.'),
  EAUTH: rule('auth', 'The mail server refused the SMTP user name or password. Update them in the email channel settings.'),
  ENOAUTH: rule('auth', 'The mail server requires a user name and password. Add them to the email channel settings.'),
  EMESSAGE: rule('unknown', 'The mail server refused the message itself (empty or too large). Shorten it or send fewer attachments.'),
  EFETCH: rule('unknown', 'An attachment could not be downloaded from its URL, so the email was not sent. Check the attachment link.'),
};

/** SMTP reply codes (RFC 5321) that decide alone, without looking at the enhanced status code. */
const REPLY_CODES: Record<number, ErrorRule> = {
  421: rule('transient', 'The mail server is busy or closing the connection. Lifeline will try again shortly.'),
  450: rule('transient', 'The recipient\'s mailbox is temporarily unavailable. Lifeline will try again shortly.'),
  451: rule('transient', 'The mail server had a temporary problem. Lifeline will try again shortly.'),
  452: rule('transient', 'The mail server is temporarily out of space. Lifeline will try again shortly.'),
  530: rule('auth', 'The mail server requires signing in. Add the SMTP user name and password to the email channel settings.'),
  534: rule('auth', 'The mail server wants a stronger sign-in method (often an "app password"). Create one at the mail provider and put it in the email channel settings.'),
  535: rule('auth', 'The mail server refused the SMTP user name or password. Update them in the email channel settings.'),
  550: rule('invalid_recipient', `The customer's email address does not exist or cannot receive mail. Check the address; ${TRY_OTHER}`),
  551: rule('invalid_recipient', `The customer's email address is not served by that mail server. Check the address; ${TRY_OTHER}`),
  553: rule('invalid_recipient', `The customer's email address is not valid. Check the address; ${TRY_OTHER}`),
};

const RATE_LIMITED = rule('rate_limited', 'The mail server says too many messages were sent too quickly. Lifeline will wait and try again.');
const RECIPIENT_BLOCKED = rule('recipient_blocked', `The customer's mail server does not accept mail from this business. ${TRY_OTHER}`);
const ACCOUNT_RESTRICTED = rule(
  'account_restricted',
  `The mail server refused to send for this account (policy, spam or reputation block). Check the sending account with your mail provider; ${TRY_OTHER}`,
);
// 552 means "exceeded storage allocation": today mostly a full mailbox (5.2.2, may clear when the customer
// deletes mail, so worth a later retry) and sometimes a message over the size limit (5.3.4, never succeeds as is).
const MAILBOX_FULL = rule('transient', 'The customer\'s mailbox is full. Lifeline will try again later and may use another channel meanwhile.');
const TOO_LARGE = rule('unknown', 'The email is larger than the mail server accepts. Send smaller or fewer attachments.');
const POLICY_REJECTED = rule('unknown', 'The mail server rejected the message (often a spam or content filter). Review the message text and links.');

/** The enhanced status code (RFC 3463, e.g. 5.1.1) at the start of an SMTP reply text, if any. */
export function enhancedStatus(text: string | undefined): string | null {
  const match = /(?:^|\s)([245])\.(\d{1,3})\.(\d{1,3})(?=\s|$)/.exec(text ?? '');
  return match ? `${match[1]}.${match[2]}.${match[3]}` : null;
}

/** "retry in 30 seconds" style hints some servers give with a rate limit. */
function retryAfterFrom(text: string): number | null {
  const match = /(?:retry|try again)\D{0,20}(\d{1,6})\s*(s|sec|second|m|min|minute)/i.exec(text);
  if (!match) return null;
  const value = Number(match[1]);
  return match[2]!.toLowerCase().startsWith('m') ? value * 60 : value;
}

function looksRateLimited(text: string, status: string | null): boolean {
  return /too many|rate limit|slow down|throttl/i.test(text) || (status !== null && /^4\.7\.(0|28)$/.test(status));
}

/** Decides from the reply code plus the enhanced status where the reply code alone is ambiguous. */
function classifyReply(code: number, text: string, command: string): ErrorRule {
  const status = enhancedStatus(text);
  if (code >= 400 && code < 500 && looksRateLimited(text, status)) return RATE_LIMITED;
  if (code === 530 || code === 534 || code === 535) return REPLY_CODES[code]!;
  if (status === '5.7.8') return REPLY_CODES[535]!;
  if (status?.startsWith('5.1.')) return REPLY_CODES[550]!;
  // A 5.7.x policy refusal of one recipient is that recipient's server blocking us; of the sender or the
  // whole message it is about our account.
  if (status?.startsWith('5.7.') && /^RCPT/i.test(command)) return RECIPIENT_BLOCKED;
  if (code === 552) return status === '5.3.4' || /size|too (large|big)/i.test(text) ? TOO_LARGE : MAILBOX_FULL;
  if (code === 554) return status?.startsWith('5.7.') || /^MAIL/i.test(command) ? ACCOUNT_RESTRICTED : POLICY_REJECTED;
  if (status?.startsWith('5.7.')) return ACCOUNT_RESTRICTED;
  const known = REPLY_CODES[code];
  if (known) return known;
  if (code >= 400 && code < 500) return rule('transient', 'The mail server refused the message for now. Lifeline will try again shortly.');
  return rule('unknown', 'The mail server refused the message. See the server\'s reply for details.');
}

/** nodemailer puts per-recipient refusals of EENVELOPE in `rejectedErrors`; the first one carries the reply. */
function replyOf(error: SmtpFailure & { rejectedErrors?: SmtpFailure[] }): SmtpFailure {
  if (error.responseCode) return error;
  return error.rejectedErrors?.find((e) => e.responseCode) ?? error;
}

export function classifySmtpError(error: SmtpFailure & { rejectedErrors?: SmtpFailure[] }): ErrorRule & { retryAfterSec: number | null; providerCode: string } {
  const reply = replyOf(error);
  const text = reply.response ?? reply.message ?? '';
  if (reply.responseCode) {
    const found = classifyReply(reply.responseCode, text, reply.command ?? '');
    const retryAfterSec = found.category === 'rate_limited' ? (retryAfterFrom(text) ?? 60) : null;
    return { ...found, retryAfterSec, providerCode: String(reply.responseCode) };
  }
  const network = error.code ? NETWORK_CODES[error.code] : undefined;
  if (network) return { ...network, retryAfterSec: null, providerCode: error.code! };
  // Node socket errors (ECONNREFUSED, ECONNRESET, EHOSTUNREACH…) surface with their own codes.
  if (error.code && /^E(CONN|HOST|NET|PIPE|AI_AGAIN|TIMEDOUT)/.test(error.code)) {
    return { ...NETWORK_CODES.ECONNECTION!, retryAfterSec: null, providerCode: error.code };
  }
  return { ...rule('unknown', 'Sending the email failed for an unexpected reason.'), retryAfterSec: null, providerCode: error.code ?? 'unknown' };
}

export function smtpProviderError(error: unknown): ProviderError {
  const failure = (error ?? {}) as SmtpFailure & { rejectedErrors?: SmtpFailure[] };
  const { category, explanation, retryAfterSec, providerCode } = classifySmtpError(failure);
  return new ProviderError(category, explanation, { providerCode, retryAfterSec, cause: error });
}
