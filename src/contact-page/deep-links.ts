// Deep links into each channel: the URL that opens a chat with the business on the customer's phone (wa.me, t.me,
// viber://, m.me, ig.me, sms:, mailto:, tel:, the webchat page), and the handle to print beside it. Pure. Used by
// the contact page and its flyer, and meant for move notices (wa.me, t.me… in a broadcast) too.
//
// Stored configs are checked again with the adapters' own schemas for the public fields: a value that does not
// pass (an old or hand-edited config) gives no link rather than a broken or unsafe one. Every URL is built from a
// fixed scheme and host plus a checked, encoded value, so nothing in a config can turn a link into javascript:.
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import type { z } from 'zod';
import { instagramUsername, publicPhoneNumber, telegramUsername, viberAccountUri } from '../channels/public-handles.js';

export interface DeepLink {
  /** Opens the chat (or the call, the SMS, the email) with the business. */
  url: string;
  /** What a person reads and could type: "+51 987 654 321", "@tienda_sol_bot", "hola@tienda.pe". */
  handle: string;
}

/** Where the webchat's page is: only the webchat link needs it (its URL is Lifeline's own). */
export interface LinkPlace {
  channelId?: string;
  /** LIFELINE_PUBLIC_URL, e.g. https://chat.tienda.pe */
  publicUrl?: string;
}

const phone = publicPhoneNumber('a phone number');
// The same check as the adapters' z.email(), kept narrow on purpose: letters, digits and ._%+-' before the @.
const EMAIL = /^(?!\.)(?!.*\.\.)[A-Za-z0-9_'+\-.%]*[A-Za-z0-9_+-]@(?:[A-Za-z0-9][A-Za-z0-9-]*\.)+[A-Za-z]{2,}$/;
const PAGE_ID = /^\d{1,32}$/;

type Config = Record<string, unknown>;

function read<T>(schema: z.ZodType<T>, value: unknown): T | null {
  if (value === undefined || value === null) return null;
  const parsed = schema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

/** "+51 987 654 321": easier to read off a flyer than +51987654321; the plain E.164 when the number is unknown. */
export function readablePhone(e164: string): string {
  return parsePhoneNumberFromString(e164)?.formatInternational() ?? e164;
}

function phoneLink(scheme: 'sms' | 'tel', value: unknown): DeepLink | null {
  const number = read(phone, value);
  return number ? { url: `${scheme}:${number}`, handle: readablePhone(number) } : null;
}

function webchatLink(place: LinkPlace): DeepLink | null {
  if (!place.channelId || !place.publicUrl) return null;
  let base: URL;
  try {
    base = new URL(place.publicUrl);
  } catch {
    return null;
  }
  if (base.protocol !== 'https:' && base.protocol !== 'http:') return null;
  const url = `${base.origin}${base.pathname.replace(/\/+$/, '')}/contact/${encodeURIComponent(place.channelId)}`;
  return { url, handle: url.replace(/^https?:\/\//, '') };
}

/**
 * The deep link of a channel of this kind with these settings, or null when the settings lack the public handle it
 * needs or hold one that is not valid.
 */
export function deepLinkFor(kind: string, config: unknown, place: LinkPlace = {}): DeepLink | null {
  const c: Config = typeof config === 'object' && config !== null ? (config as Config) : {};
  switch (kind) {
    case 'whatsapp': {
      const number = read(phone, c.displayPhoneNumber);
      return number ? { url: `https://wa.me/${number.slice(1)}`, handle: readablePhone(number) } : null;
    }
    case 'telegram': {
      const username = read(telegramUsername, c.botUsername);
      return username ? { url: `https://t.me/${username}`, handle: `@${username}` } : null;
    }
    case 'viber': {
      const uri = read(viberAccountUri, c.publicAccountUri);
      return uri ? { url: `viber://pa?chatURI=${encodeURIComponent(uri)}`, handle: uri } : null;
    }
    case 'messenger': {
      const pageId = typeof c.pageId === 'string' ? c.pageId.trim() : '';
      return PAGE_ID.test(pageId) ? { url: `https://m.me/${pageId}`, handle: `m.me/${pageId}` } : null;
    }
    case 'instagram': {
      const username = read(instagramUsername, c.username);
      return username ? { url: `https://ig.me/m/${encodeURIComponent(username)}`, handle: `@${username}` } : null;
    }
    case 'twilio-sms':
      return phoneLink('sms', c.from);
    case 'voice':
      return phoneLink('tel', c.phoneNumber ?? c.callerId);
    case 'email': {
      const address = typeof c.from === 'string' ? c.from.trim() : '';
      if (!EMAIL.test(address)) return null;
      const at = address.lastIndexOf('@');
      return { url: `mailto:${encodeURIComponent(address.slice(0, at))}@${address.slice(at + 1)}`, handle: address };
    }
    case 'webchat':
      return webchatLink(place);
    default:
      return null;
  }
}
