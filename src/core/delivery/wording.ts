// The words the delivery core uses in text a shop owner reads: channel and identity names ("Sent by SMS instead"),
// lists and durations ("within 5 minutes"). Kept apart from the adapters so the pure core needs no channel code.
import type { ChannelKind } from '../../channels/types.js';
import type { IdentityKind } from '../identity.js';

/** Display name of each channel kind, as it reads in the middle of a sentence ("Sent by email instead"). */
export const CHANNEL_NAMES: Readonly<Record<ChannelKind, string>> = {
  whatsapp: 'WhatsApp',
  messenger: 'Messenger',
  instagram: 'Instagram',
  telegram: 'Telegram',
  viber: 'Viber',
  'twilio-sms': 'SMS',
  email: 'email',
  webchat: 'web chat',
  // The voice channel creates a call task for staff: the message reaches the customer as a phone call.
  voice: 'phone call',
};

/** The company whose rules apply on a channel, for "restricted by Meta". Channels without one are left out. */
export const CHANNEL_OPERATORS: Readonly<Partial<Record<ChannelKind, string>>> = {
  whatsapp: 'Meta',
  messenger: 'Meta',
  instagram: 'Meta',
  telegram: 'Telegram',
  viber: 'Viber',
  'twilio-sms': 'Twilio',
};

/** What a handle of each identity kind is called ("the customer has no phone number"). */
export const IDENTITY_NOUNS: Readonly<Record<IdentityKind, string>> = {
  phone: 'phone number',
  email: 'email address',
  whatsapp: 'WhatsApp number',
  telegram: 'Telegram account',
  viber: 'Viber account',
  messenger: 'Messenger account',
  instagram: 'Instagram account',
  webchat: 'web chat visitor id',
};

function isChannelKind(kind: string): kind is ChannelKind {
  return Object.hasOwn(CHANNEL_NAMES, kind);
}

/** The display name of a channel kind; a kind Lifeline does not know is shown as it is written. */
export function channelName(kind: string): string {
  return isChannelKind(kind) ? CHANNEL_NAMES[kind] : kind;
}

export function channelOperator(kind: string): string | null {
  return isChannelKind(kind) ? (CHANNEL_OPERATORS[kind] ?? null) : null;
}

/** "phone number", "WhatsApp or phone number"-style wording for the handles a channel can use. */
export function describeAddressKinds(kinds: readonly IdentityKind[]): string {
  const nouns = kinds.map((kind) => IDENTITY_NOUNS[kind]);
  if (nouns.length === 0) return 'address';
  if (nouns.length === 1) return nouns[0] ?? 'address';
  // "WhatsApp number or phone number" reads better as "WhatsApp or phone number" when the nouns share a last word.
  const lastWords = new Set(nouns.map((noun) => noun.split(' ').at(-1)));
  if (lastWords.size === 1) {
    const heads = nouns.map((noun) => noun.split(' ').slice(0, -1).join(' '));
    return `${joinWords(heads, 'or')} ${[...lastWords][0]}`;
  }
  return joinWords(nouns, 'or');
}

/** "a", "a and b", "a, b and c". */
export function joinWords(words: readonly string[], conjunction: 'and' | 'or'): string {
  if (words.length <= 1) return words[0] ?? '';
  return `${words.slice(0, -1).join(', ')} ${conjunction} ${words.at(-1)}`;
}

/**
 * Why a channel's circuit breaker keeps it out of use, starting with the channel's name: "WhatsApp failed several
 * times just now". `refused`: it opened because the provider refused the business's account.
 */
export function restingReason(kind: string, refused: boolean): string {
  const name = capitalize(channelName(kind));
  return refused
    ? `${name} refused the business's account just now (restricted or banned, or its credentials no longer work)`
    : `${name} failed several times just now`;
}

/** Upper-cases the first letter, for a display name that starts a sentence ("Email did not accept…"). */
export function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

const UNITS: readonly [name: string, ms: number][] = [
  ['hour', 3_600_000],
  ['minute', 60_000],
  ['second', 1_000],
];

/**
 * "5 minutes", "1 hour 30 minutes", "24 hours", "less than a second": at most two adjacent units, rounded to whole
 * seconds. No days: policies are stated in hours ("the 24-hour window"), and so is this.
 */
export function formatDuration(ms: number): string {
  let rest = Math.round(Math.max(0, ms) / 1000) * 1000;
  if (rest === 0) return 'less than a second';
  const parts: string[] = [];
  for (const [name, size] of UNITS) {
    const count = Math.floor(rest / size);
    rest -= count * size;
    if (count > 0 && parts.length < 2) parts.push(`${count} ${name}${count === 1 ? '' : 's'}`);
    // Two adjacent units are precise enough for a person; "1 hour 0 minutes 3 seconds" would only add noise.
    if (parts.length > 0 && count === 0 && parts.length < 2) break;
  }
  return parts.join(' ');
}
