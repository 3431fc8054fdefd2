// The public side of a channel's settings: the handle customers use to reach the business (a WhatsApp number, a
// bot's @username…) and whether the channel is listed on the contact page (/c/{slug}). Shared by the adapters'
// config schemas and by the contact page's deep links (src/contact-page/deep-links.ts), which re-check the stored
// values with these same schemas, so a link is only ever built from a value that passes them.
import { z } from 'zod';

/** E.164 with the '+': the only phone format every deep-link scheme (wa.me, sms:, tel:) reads the same way. */
export const PUBLIC_E164 = /^\+[1-9]\d{6,14}$/;

/** A phone number customers see, in international format. */
export const publicPhoneNumber = (what: string) =>
  z.string().trim().regex(PUBLIC_E164, `write ${what} in international format with the country code, digits only after the "+", e.g. +51987654321`);

/** Telegram usernames: 5-32 of a-z, 0-9 and "_", starting with a letter; an "@" in front is accepted and dropped. */
export const telegramUsername = z
  .string()
  .trim()
  .regex(/^@?[A-Za-z][A-Za-z0-9_]{3,31}$/, 'the bot\'s username as @BotFather shows it, e.g. @tienda_sol_bot (5-32 letters, digits or "_")')
  .transform((value) => value.replace(/^@/, ''));

/** Instagram usernames: 1-30 of letters, digits, "." and "_"; an "@" in front is accepted and dropped. */
export const instagramUsername = z
  .string()
  .trim()
  .regex(/^@?[A-Za-z0-9._]{1,30}$/, 'the Instagram username, e.g. @tienda.sol (letters, digits, "." and "_", at most 30)')
  .transform((value) => value.replace(/^@/, ''));

/** The URI of a Viber bot or public account, as in viber://pa?chatURI=<uri> (Viber Partners admin panel). */
export const viberAccountUri = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'the bot\'s URI from the Viber admin panel, e.g. tiendasol (letters, digits, ".", "_" and "-")');

/** Listed on the contact page unless set to false; absent in configs saved before the contact page existed. */
export const showOnContactPage = z
  .boolean()
  .optional()
  .meta({ default: true, description: 'List this channel on the public contact page (/c/{workspace-slug}) and its printable flyer.' });

/** Whether a stored config asks to be listed on the contact page (absent or anything but `false`: listed). */
export function showsOnContactPage(config: unknown): boolean {
  return (config as { showOnContactPage?: unknown } | null)?.showOnContactPage !== false;
}
