// Normalising a phone number (libphonenumber) costs tens of microseconds, several times a raw webhook's own
// processing, and the same customers write again and again: answers are remembered, failures included.
import { type IdentityKind, InvalidIdentityError, normalizeIdentity } from '../core/identity.js';

const LIMIT = 20_000;
const answers = new Map<string, string | InvalidIdentityError>();

/** normalizeIdentity, remembered; throws the same InvalidIdentityError for a handle that cannot be normalised. */
export function normalizeRemembered(kind: IdentityKind, raw: string, defaultRegion: string | null): string {
  const key = `${kind}\n${defaultRegion ?? ''}\n${raw}`;
  let answer = answers.get(key);
  if (answer === undefined) {
    try {
      answer = normalizeIdentity(kind, raw, defaultRegion ?? undefined);
    } catch (error) {
      if (!(error instanceof InvalidIdentityError)) throw error;
      answer = error;
    }
    // Dropping everything when full is crude, but costs nothing per hit and the working set refills in moments.
    if (answers.size >= LIMIT) answers.clear();
    answers.set(key, answer);
  }
  if (answer instanceof InvalidIdentityError) throw answer;
  return answer;
}

/** The normalised handle, or null when it cannot be normalised. */
export function normalizeOrNull(kind: IdentityKind, raw: string, defaultRegion: string | null): string | null {
  try {
    return normalizeRemembered(kind, raw, defaultRegion);
  } catch (error) {
    if (error instanceof InvalidIdentityError) return null;
    throw error;
  }
}
