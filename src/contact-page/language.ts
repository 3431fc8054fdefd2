// Which language the contact page speaks: `?lang=` when given (a printed flyer in the shop's language), else the
// visitor's Accept-Language, else English. Pure.

export const LANGUAGES = ['en', 'es'] as const;
export type Language = (typeof LANGUAGES)[number];

const isLanguage = (value: string): value is Language => (LANGUAGES as readonly string[]).includes(value);

/** The best supported language of an Accept-Language header ("es-PE,es;q=0.9,en;q=0.8" → es); English by default. */
export function pickLanguage(acceptLanguage: string | undefined, override?: unknown): Language {
  if (typeof override === 'string' && isLanguage(override.toLowerCase())) return override.toLowerCase() as Language;
  if (!acceptLanguage) return 'en';
  const ranked = acceptLanguage
    .split(',')
    .slice(0, 20)
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      const weight = q === undefined ? 1 : Number(q.slice(2));
      return { primary: tag.trim().toLowerCase().split('-')[0] ?? '', weight: Number.isFinite(weight) ? weight : 0, index };
    })
    .filter((entry) => entry.weight > 0)
    // Highest weight first; among equals, the order the browser gave.
    .sort((a, b) => b.weight - a.weight || a.index - b.index);
  return ranked.map((entry) => entry.primary).find(isLanguage) ?? 'en';
}
