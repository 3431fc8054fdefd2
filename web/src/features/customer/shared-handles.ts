// Why two contacts look like one person: the phone numbers and email addresses both have. Pure; the server's own
// reason (in English) is the fallback when the handles of the other contact cannot be read.
import { handleLabel } from '../../format';
import type { Language } from '../../i18n';
import type { Contact, Identity } from '../../types';

/** Identity kinds whose value is a phone number in E.164, so a WhatsApp number and a phone number can match. */
const PHONE_KINDS: ReadonlySet<string> = new Set(['phone', 'whatsapp']);

export interface SharedHandle {
  what: 'phone' | 'email';
  value: string;
}

function keyOf(identity: Identity): SharedHandle | null {
  if (PHONE_KINDS.has(identity.kind)) return { what: 'phone', value: identity.value };
  if (identity.kind === 'email') return { what: 'email', value: identity.value.toLowerCase() };
  return null;
}

export function sharedHandles(a: readonly Identity[], b: readonly Identity[]): SharedHandle[] {
  const theirs = new Set(b.map(keyOf).filter((k) => k !== null).map((k) => `${k.what}:${k.value}`));
  const shared = new Map<string, SharedHandle>();
  for (const key of a.map(keyOf)) {
    if (key && theirs.has(`${key.what}:${key.value}`)) shared.set(`${key.what}:${key.value}`, key);
  }
  return [...shared.values()];
}

/** The name to show for a contact: its name, else its first handle, else `fallback` ("Unnamed customer"). */
export function contactDisplayName(contact: Pick<Contact, 'name' | 'identities'>, fallback: string, language: Language = 'en'): string {
  const first = contact.identities[0];
  return contact.name?.trim() || (first ? handleLabel(first.kind, first.value, language) : '') || fallback;
}
