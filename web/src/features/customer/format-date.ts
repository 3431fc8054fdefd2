// A calendar date the way the reader's language writes it ("3 Jun 2025", "3 jun 2025").
import type { Language } from '../../i18n';

export function formatDate(iso: string, language: Language): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : new Intl.DateTimeFormat(language, { dateStyle: 'medium' }).format(date);
}
