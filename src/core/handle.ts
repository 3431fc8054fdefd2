// Which of a contact's handles to show beside their name in a list: the one a person recognises at a glance.
import type { IdentityKind } from './identity.js';

/**
 * Phone numbers first (what shop staff know customers by), then email, then the messengers' own handles; web chat
 * visitor ids mean nothing to a person and come last.
 */
export const HANDLE_ORDER: readonly IdentityKind[] = ['phone', 'whatsapp', 'email', 'telegram', 'viber', 'instagram', 'messenger', 'webchat'];

/** The handle to show for a contact, or null when it has none. Among handles of one kind the first given wins. */
export function displayHandle(identities: readonly { kind: string; value: string }[]): string | null {
  return displayIdentity(identities)?.value ?? null;
}

/** displayHandle with its kind, so that a screen can say what a bare web chat visitor id is. */
export function displayIdentity(identities: readonly { kind: string; value: string }[]): { kind: string; value: string } | null {
  let best: { rank: number; kind: string; value: string } | null = null;
  for (const identity of identities) {
    const found = HANDLE_ORDER.indexOf(identity.kind as IdentityKind);
    const rank = found === -1 ? HANDLE_ORDER.length : found;
    if (!best || rank < best.rank) best = { rank, kind: identity.kind, value: identity.value };
  }
  return best ? { kind: best.kind, value: best.value } : null;
}
