// Language codes as people give them for a contact: a BCP 47 tag that Intl accepts, such as es, en-US or pt-BR.

/** True for a tag with a two- or three-letter language (es, en-US, quz-PE) that Intl can canonicalise. */
export function isLanguageTag(tag: string): boolean {
  if (!/^[a-z]{2,3}(-[a-z0-9]{2,8})*$/i.test(tag)) return false;
  try {
    Intl.getCanonicalLocales(tag);
    return true;
  } catch {
    return false;
  }
}

export const LANGUAGE_HINT = 'must be a language code such as es, en or pt-BR';
