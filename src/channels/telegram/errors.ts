// Telegram's refusals mapped to Lifeline's error categories. The HTTP status equals `error_code`; within 400 and
// 403 only the description tells cases apart, so rules match on description substrings (provider-apis.md §3).
import { ProviderError, type ErrorRule } from '../types.js';

export interface TelegramFailure {
  /** HTTP status (equal to error_code when Telegram answered with its JSON shape). */
  status: number;
  description: string;
  retryAfterSec?: number | null;
}

interface DescriptionRule extends ErrorRule {
  status: number;
  /** Lower-case substring of the description. */
  match: string;
}

// Checked in order: the first rule whose status and substring match wins.
const DESCRIPTION_RULES: readonly DescriptionRule[] = [
  {
    status: 403,
    match: 'bot was blocked by the user',
    category: 'recipient_blocked',
    explanation: 'Telegram did not deliver the message: the customer has blocked your bot. Lifeline will use the customer\'s other channels.',
  },
  {
    status: 403,
    match: 'user is deactivated',
    category: 'invalid_recipient',
    explanation: 'Telegram did not deliver the message: the customer\'s Telegram account has been deleted. Use another way to reach them.',
  },
  {
    status: 403,
    match: "bot can't initiate conversation",
    category: 'recipient_blocked',
    explanation: 'Telegram did not deliver the message: the customer has never started a chat with your bot, and bots may only answer people who wrote first. Ask them to press Start in the bot.',
  },
  {
    status: 403,
    match: 'bot was kicked',
    category: 'account_restricted',
    explanation: 'Telegram did not deliver the message: your bot was removed or banned from that chat. Add the bot back in Telegram; Lifeline will use the customer\'s other channels meanwhile.',
  },
  {
    status: 403,
    match: 'bot is not a member',
    category: 'account_restricted',
    explanation: 'Telegram did not deliver the message: your bot is no longer a member of that chat. Add the bot back in Telegram; Lifeline will use the customer\'s other channels meanwhile.',
  },
  {
    status: 400,
    match: 'chat not found',
    category: 'invalid_recipient',
    explanation: 'Telegram did not deliver the message: there is no chat with this customer. The Telegram id may be wrong, or the customer never wrote to your bot.',
  },
  {
    status: 400,
    match: 'peer_id_invalid',
    category: 'invalid_recipient',
    explanation: 'Telegram did not deliver the message: the customer\'s Telegram id is not valid. Check the contact\'s Telegram id.',
  },
  {
    status: 400,
    match: 'message is too long',
    category: 'unknown',
    explanation: 'Telegram refused the message because it is longer than 4096 characters. Shorten it and send it again.',
  },
];

const UNAUTHORIZED: ErrorRule = {
  category: 'auth',
  explanation: 'Telegram refused the bot token. Copy the current token from @BotFather into the channel settings (a token stops working when it is revoked).',
};

const CONFLICT: ErrorRule = {
  category: 'unknown',
  explanation: 'Telegram refused to hand over messages because another program is receiving this bot\'s updates (a webhook or another poller). Use this bot in one place only, or switch the channel to webhook mode.',
};

/** The ProviderError for a Telegram error answer. */
export function classifyTelegramError(failure: TelegramFailure): ProviderError {
  const { status, description } = failure;
  const providerCode = String(status);
  const text = description.toLowerCase();
  const rule = DESCRIPTION_RULES.find((r) => r.status === status && text.includes(r.match));
  if (rule) return new ProviderError(rule.category, rule.explanation, { providerCode });
  if (status === 429) {
    const retryAfterSec = failure.retryAfterSec ?? 1;
    return new ProviderError('rate_limited', `Telegram is limiting how fast your bot sends (about one message per second per chat). Lifeline will retry in ${retryAfterSec} s.`, {
      providerCode,
      retryAfterSec,
    });
  }
  // 404 is what Telegram answers for a token it cannot even parse.
  if (status === 401 || status === 404) return new ProviderError(UNAUTHORIZED.category, UNAUTHORIZED.explanation, { providerCode });
  if (status === 409) return new ProviderError(CONFLICT.category, CONFLICT.explanation, { providerCode });
  if (status >= 500) {
    return new ProviderError('transient', 'Telegram is having trouble right now (server error). Lifeline will retry.', { providerCode });
  }
  return new ProviderError('unknown', `Telegram refused the message: ${description || `HTTP ${status}`}.`, { providerCode });
}

/** Network failures and timeouts: the request may not have reached Telegram, so it is safe to retry later. */
export function telegramNetworkError(error: unknown): ProviderError {
  const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
  const explanation = timedOut
    ? 'Telegram did not answer in time. Lifeline will retry.'
    : 'Lifeline could not reach Telegram (network error). Lifeline will retry.';
  return new ProviderError('transient', explanation, { cause: error });
}
