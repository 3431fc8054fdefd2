// Workspace slugs: the short name in public URLs (`/c/{slug}`, the contact page). Derived from the business's name,
// lower-case ASCII so it reads the same everywhere, and made unique with -2, -3… when two businesses share a name.

/** What a slug may look like: 1-64 of a-z, 0-9 and '-', neither starting nor ending with '-'. */
export const SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;
export const SLUG_MAX_LENGTH = 64;

/** The slug a name asks for: "Bodega Doña Marta" → "bodega-dona-marta"; a name with no letters → "workspace". */
export function slugify(name: string): string {
  const ascii = name
    .normalize('NFKD')
    // Accents and other combining marks go; the base letter stays (ñ → n, é → e).
    .replace(/\p{M}+/gu, '')
    .replace(/ß/g, 'ss')
    .replace(/æ/gi, 'ae')
    .replace(/ø/gi, 'o')
    .toLowerCase();
  const slug = trimDashes(ascii.replace(/[^a-z0-9]+/g, '-').slice(0, SLUG_MAX_LENGTH));
  return slug || 'workspace';
}

/**
 * The first of `base`, `base-2`, `base-3`… that `taken` does not hold. The suffix always fits: the base is cut
 * short (and stripped of a trailing '-') to make room within SLUG_MAX_LENGTH.
 */
export function uniqueSlug(base: string, taken: ReadonlySet<string>): string {
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) {
    const suffix = `-${n}`;
    const candidate = `${trimDashes(base.slice(0, SLUG_MAX_LENGTH - suffix.length))}${suffix}`;
    if (!taken.has(candidate)) return candidate;
  }
}

function trimDashes(text: string): string {
  return text.replace(/^-+|-+$/g, '');
}
