// Viber's refusals mapped to Lifeline's error categories. Viber answers HTTP 200 with a non-zero `status`
// (provider-apis.md §4, the Viber REST Bot API's error-code table); only outages show as HTTP 5xx.
import { type ErrorRule, ProviderError } from '../types.js';

/** Viber gives no retry hint with status 12: wait this long before trying again. */
export const VIBER_RATE_LIMIT_RETRY_SEC = 30;

const CHECK_SETTINGS = 'This is a problem with the channel settings or with Lifeline, not with the customer; contact support if it continues.';

export const VIBER_ERRORS: Readonly<Record<number, ErrorRule & { name: string }>> = {
  1: { name: 'invalidUrl', category: 'unknown', explanation: `Viber refused the webhook address. Lifeline's public URL must be HTTPS with a trusted certificate.` },
  2: { name: 'invalidAuthToken', category: 'auth', explanation: 'Viber refused the authentication token. Copy the current token of your bot from the Viber Partners admin panel into the channel settings.' },
  3: { name: 'badData', category: 'unknown', explanation: `Viber refused the message as malformed. ${CHECK_SETTINGS}` },
  4: { name: 'missingData', category: 'unknown', explanation: `Viber refused the message because a required field was missing. ${CHECK_SETTINGS}` },
  5: { name: 'receiverNotRegistered', category: 'invalid_recipient', explanation: 'Viber did not deliver the message: this customer\'s Viber id is not registered. Lifeline will use the customer\'s other channels.' },
  6: { name: 'receiverNotSubscribed', category: 'recipient_blocked', explanation: 'Viber did not deliver the message: the customer has not subscribed to your bot or has unsubscribed. Bots may only message subscribers; Lifeline will use the customer\'s other channels.' },
  7: { name: 'publicAccountBlocked', category: 'account_restricted', explanation: 'Viber has blocked your bot account. Check the account in the Viber Partners admin panel; Lifeline will use the customer\'s other channels meanwhile.' },
  8: { name: 'publicAccountNotFound', category: 'account_restricted', explanation: 'Viber cannot find your bot account: it may have been deleted. Check it in the Viber Partners admin panel; Lifeline will use the customer\'s other channels meanwhile.' },
  9: { name: 'publicAccountSuspended', category: 'account_restricted', explanation: 'Viber has suspended your bot account. Check the account in the Viber Partners admin panel; Lifeline will use the customer\'s other channels meanwhile.' },
  10: { name: 'webhookNotSet', category: 'account_restricted', explanation: 'Viber will not send messages for this bot until its webhook is set. Save the Viber channel again in Lifeline to set it.' },
  11: { name: 'receiverNoSuitableDevice', category: 'invalid_recipient', explanation: 'Viber did not deliver the message: the customer has no device with a Viber version that can receive it. Lifeline will use the customer\'s other channels.' },
  12: { name: 'tooManyRequests', category: 'rate_limited', explanation: `Viber is limiting how fast your bot sends. Lifeline will retry in ${VIBER_RATE_LIMIT_RETRY_SEC} s.` },
  13: { name: 'apiVersionNotSupported', category: 'unknown', explanation: `Viber does not support the API version of the message. ${CHECK_SETTINGS}` },
  14: { name: 'incompatibleWithVersion', category: 'unknown', explanation: `Viber refused the message as incompatible with the API version. ${CHECK_SETTINGS}` },
  15: { name: 'publicAccountNotAuthorized', category: 'account_restricted', explanation: 'Viber has not authorised your bot account to send messages. Check the account in the Viber Partners admin panel.' },
  16: { name: 'inchatReplyMessageNotAllowed', category: 'unknown', explanation: `Viber does not allow this kind of reply. ${CHECK_SETTINGS}` },
  17: { name: 'publicAccountIsNotInline', category: 'unknown', explanation: `Viber refused the request: the bot is not an inline bot. ${CHECK_SETTINGS}` },
  18: { name: 'noPublicChat', category: 'unknown', explanation: `Viber refused the request: the bot has no public chat. ${CHECK_SETTINGS}` },
  19: { name: 'cannotSendBroadcast', category: 'unknown', explanation: `Viber refused the broadcast. ${CHECK_SETTINGS}` },
  20: { name: 'broadcastNotAllowed', category: 'account_restricted', explanation: 'Viber does not allow broadcasts from your bot account. Check the account in the Viber Partners admin panel.' },
  // 21-24 come from Viber's current (commercial-model) documentation and are UNVERIFIED against real answers.
  21: { name: 'unsupportedCountry', category: 'invalid_recipient', explanation: 'Viber does not deliver bot messages to the customer\'s country. Lifeline will use the customer\'s other channels.' },
  22: { name: 'paymentUnsupported', category: 'account_restricted', explanation: 'Viber refused the message because your bot account cannot be billed for it. Check billing in the Viber Partners admin panel.' },
  23: { name: 'freeMessagesExceeded', category: 'account_restricted', explanation: 'Your Viber bot has used up its free messages. Add a payment method in the Viber Partners admin panel; Lifeline will use the customer\'s other channels meanwhile.' },
  24: { name: 'noBalance', category: 'account_restricted', explanation: 'Your Viber bot account has no balance left. Top it up in the Viber Partners admin panel; Lifeline will use the customer\'s other channels meanwhile.' },
};

/** The ProviderError for a non-zero Viber status. */
export function classifyViberStatus(status: number, statusMessage?: string): ProviderError {
  const rule = VIBER_ERRORS[status];
  const providerCode = String(status);
  if (!rule) {
    const detail = statusMessage ? ` (${statusMessage})` : '';
    return new ProviderError('unknown', `Viber refused the message with error ${status}${detail}. If it continues, check the bot in the Viber Partners admin panel.`, { providerCode });
  }
  const retryAfterSec = rule.category === 'rate_limited' ? VIBER_RATE_LIMIT_RETRY_SEC : null;
  return new ProviderError(rule.category, rule.explanation, { providerCode, retryAfterSec });
}

/** A non-200 HTTP answer: Viber only uses those when it is down or overloaded. */
export function classifyViberHttpStatus(status: number): ProviderError {
  if (status === 429) {
    return new ProviderError('rate_limited', `Viber is limiting how fast your bot sends. Lifeline will retry in ${VIBER_RATE_LIMIT_RETRY_SEC} s.`, {
      providerCode: 'http_429',
      retryAfterSec: VIBER_RATE_LIMIT_RETRY_SEC,
    });
  }
  if (status >= 500) return new ProviderError('transient', 'Viber is having trouble right now (server error). Lifeline will retry.', { providerCode: `http_${status}` });
  if (status === 401 || status === 403) return classifyViberStatus(2);
  return new ProviderError('unknown', `Viber answered HTTP ${status}, which Lifeline did not expect. If it continues, contact support.`, { providerCode: `http_${status}` });
}

export function viberNetworkError(error: unknown): ProviderError {
  const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
  const explanation = timedOut ? 'Viber did not answer in time. Lifeline will retry.' : 'Lifeline could not reach Viber (network error). Lifeline will retry.';
  return new ProviderError('transient', explanation, { cause: error });
}
