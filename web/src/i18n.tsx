// English and Spanish. Each feature keeps its own strings beside its code (`strings.ts` with `en` and an `es` of the
// same shape, which TypeScript checks); the language follows the browser until someone picks one, and is remembered.
import { createContext, type ReactNode, useContext, useMemo, useState } from 'react';

export const LANGUAGES = ['en', 'es'] as const;
export type Language = (typeof LANGUAGES)[number];

export type Strings<T> = { en: T; es: T };

const STORAGE_KEY = 'lifeline.language';

function initialLanguage(): Language {
  const saved = localStorage.getItem(STORAGE_KEY);
  if (saved === 'en' || saved === 'es') return saved;
  return navigator.languages.some((l) => l.toLowerCase().startsWith('es')) && !navigator.language.toLowerCase().startsWith('en') ? 'es' : 'en';
}

const LanguageContext = createContext<{ language: Language; setLanguage: (language: Language) => void }>({
  language: 'en',
  setLanguage: () => undefined,
});

export function LanguageProvider({ children }: { children: ReactNode }) {
  const [language, setLanguageState] = useState<Language>(initialLanguage);
  const value = useMemo(
    () => ({
      language,
      setLanguage: (next: Language) => {
        localStorage.setItem(STORAGE_KEY, next);
        document.documentElement.lang = next;
        setLanguageState(next);
      },
    }),
    [language],
  );
  document.documentElement.lang = language;
  return <LanguageContext.Provider value={value}>{children}</LanguageContext.Provider>;
}

export function useLanguage() {
  return useContext(LanguageContext);
}

export function useStrings<T>(strings: Strings<T>): T {
  return strings[useContext(LanguageContext).language];
}

/**
 * "{n} unread" with {n} → 3. "{n|enviado|enviados}" picks the word for the number: the first for exactly 1, the
 * second otherwise (what English and Spanish need).
 */
export function fill(template: string, values: Record<string, string | number>): string {
  return template
    .replace(/\{(\w+)\|([^|}]*)\|([^}]*)\}/g, (match, key: string, one: string, other: string) => (key in values ? (Number(values[key]) === 1 ? one : other) : match))
    .replace(/\{(\w+)\}/g, (match, key: string) => (key in values ? String(values[key]) : match));
}
