// Small pure helpers for showing things: channel names, times, and which parts of a message are safe links.
import type { Language } from './i18n';

const CHANNEL_NAMES: Record<string, string> = {
  whatsapp: 'WhatsApp',
  messenger: 'Messenger',
  instagram: 'Instagram',
  telegram: 'Telegram',
  viber: 'Viber',
  'twilio-sms': 'SMS',
  sms: 'SMS',
  email: 'Email',
  webchat: 'Web chat',
  voice: 'Phone',
  phone: 'Phone',
};
const SPANISH: Record<string, string> = { Email: 'Correo', Phone: 'Teléfono', 'Web chat': 'Chat web' };

export function channelName(kind: string | null | undefined, language: Language = 'en'): string {
  if (!kind) return '—';
  const name = CHANNEL_NAMES[kind] ?? kind;
  return language === 'es' ? (SPANISH[name] ?? name) : name;
}

/** A kind of handle in a Spanish sentence: "el teléfono", "el correo", "el WhatsApp". */
export function spanishHandleNoun(kind: string): string {
  if (kind === 'phone') return 'el teléfono';
  if (kind === 'email') return 'el correo';
  return `el ${channelName(kind, 'es')}`;
}

/** A handle as staff read it: a web chat visitor's random id becomes "Website visitor 6Jq6" (the end tells two apart). */
export function handleLabel(kind: string | null | undefined, value: string, language: Language = 'en'): string {
  return kind === 'webchat' ? `${language === 'es' ? 'Visitante de la web' : 'Website visitor'} ${value.slice(-4)}` : value;
}

export function formatTime(iso: string, language: Language, now = Date.now()): string {
  const date = new Date(iso);
  const sameDay = new Date(now).toDateString() === date.toDateString();
  return new Intl.DateTimeFormat(language, sameDay ? { hour: '2-digit', minute: '2-digit' } : { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' }).format(date);
}

export type TextPart = { text: string } | { href: string; text: string };

const URL_PATTERN = /\bhttps?:\/\/[^\s<>"']+/gi;

/**
 * Splits message text into plain text and links. Only http(s) URLs become links (never javascript:, data: or
 * anything else), and trailing punctuation stays outside the link. The text is rendered as text, never as HTML.
 */
export function linkify(text: string): TextPart[] {
  const parts: TextPart[] = [];
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    let url = match[0];
    const trailing = /[.,;:!?)\]]+$/.exec(url)?.[0] ?? '';
    url = url.slice(0, url.length - trailing.length);
    const start = match.index;
    if (start > last) parts.push({ text: text.slice(last, start) });
    if (isSafeUrl(url)) parts.push({ href: url, text: url });
    else parts.push({ text: url });
    last = start + url.length;
  }
  if (last < text.length) parts.push({ text: text.slice(last) });
  return parts;
}

export function isSafeUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:';
  } catch {
    return false;
  }
}

export function initials(name: string | null | undefined, fallback: string): string {
  const source = (name ?? '').trim() || fallback;
  const words = source.split(/\s+/).filter(Boolean);
  return (words.length > 1 ? words[0]![0]! + words[1]![0]! : source.slice(0, 2)).toUpperCase();
}
