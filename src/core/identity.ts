// Ways to reach a contact, and how each kind of handle is normalised so that one person has one identity.
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';

export const IDENTITY_KINDS = [
  'phone',
  'email',
  'whatsapp',
  'telegram',
  'viber',
  'messenger',
  'instagram',
  'webchat',
] as const;
export type IdentityKind = (typeof IDENTITY_KINDS)[number];

/** Kinds whose handle is a phone number, so they normalise to E.164 and match a `phone` identity. */
const PHONE_KINDS: ReadonlySet<IdentityKind> = new Set(['phone', 'whatsapp']);

export class InvalidIdentityError extends Error {
  constructor(
    readonly kind: IdentityKind,
    readonly value: string,
    reason: string,
  ) {
    super(reason);
    this.name = 'InvalidIdentityError';
  }
}

/**
 * Turns what a person typed into E.164 (`+51987654321`). Numbers without a country code are read in the
 * workspace's default region; numbers that cannot exist there are refused rather than stored wrong.
 */
export function normalizePhone(raw: string, defaultRegion?: string): string {
  const text = raw.trim();
  // WhatsApp and Twilio send numbers as digits without '+': those are international already.
  const candidate = /^\d{8,15}$/.test(text) && !defaultRegion ? `+${text}` : text;
  const parsed = parsePhoneNumberFromString(candidate, defaultRegion as CountryCode | undefined);
  if (!parsed?.isValid()) {
    const hint = defaultRegion
      ? `write it in international format (e.g. +51987654321) or as a valid number of region ${defaultRegion}`
      : 'write it in international format, e.g. +51987654321';
    throw new InvalidIdentityError('phone', raw, `"${raw}" is not a valid phone number: ${hint}.`);
  }
  return parsed.number;
}

const EMAIL = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:".]{2,}$/;

/** Emails compare case-insensitively in practice (no provider treats the local part as case-sensitive). */
export function normalizeEmail(raw: string): string {
  const email = raw.trim().toLowerCase();
  if (!EMAIL.test(email)) {
    throw new InvalidIdentityError('email', raw, `"${raw}" is not a valid email address: write it as name@example.com.`);
  }
  return email;
}

/** A Telegram chat id: a person's is a positive number, a group's a negative one. */
const TELEGRAM_CHAT_ID = /^-?\d{1,20}$/;

export function normalizeIdentity(kind: IdentityKind, raw: string, defaultRegion?: string): string {
  if (PHONE_KINDS.has(kind)) {
    try {
      return normalizePhone(raw, defaultRegion);
    } catch (error) {
      if (error instanceof InvalidIdentityError) throw new InvalidIdentityError(kind, raw, error.message);
      throw error;
    }
  }
  if (kind === 'email') return normalizeEmail(raw);
  const handle = raw.trim();
  if (handle.length === 0 || handle.length > 200 || /\s/.test(handle)) {
    throw new InvalidIdentityError(kind, raw, `"${raw}" is not a valid ${kind} id: it must be 1-200 characters without spaces.`);
  }
  // A bot can write only to the chat id it is given when a person writes to it; a @username reaches channels only,
  // so a contact stored with one would fail at every send.
  if (kind === 'telegram' && !TELEGRAM_CHAT_ID.test(handle)) {
    throw new InvalidIdentityError(
      kind,
      raw,
      `"${raw}" is not a Telegram user id: a bot can write to a person only by the number Telegram gives it (e.g. 123456789), not by a @username. Leave it out: Lifeline adds it when the customer first writes to your bot.`,
    );
  }
  return handle;
}

/**
 * The key under which identities of different kinds point at the same person: a WhatsApp number and a phone
 * number are the same human when the digits match. Used to find the contact of an inbound message and to
 * suggest merges.
 */
export function identityMatchKey(kind: IdentityKind, value: string): string {
  if (PHONE_KINDS.has(kind)) return `tel:${value}`;
  if (kind === 'email') return `mail:${value}`;
  return `${kind}:${value}`;
}
