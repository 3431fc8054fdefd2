// Writes contacts as vCard 4.0 (RFC 6350): what a phone or address book imports, and what Lifeline reads back
// (src/transfer/vcard-read.ts) to the same handles. Lines end in CRLF and are folded at 75 octets without splitting
// a UTF-8 character; text is escaped as §3.4 says.

export interface VcardContact {
  id: string;
  name: string | null;
  identities: { kind: string; value: string }[];
  tags: string[];
  address: Record<string, string> | null;
  language: string | null;
  timezone: string | null;
  updatedAt: number;
}

/** Channels written as IMPP URIs (scheme = channel kind), so they come back as the same kind. */
const IMPP_KINDS = new Set(['whatsapp', 'telegram', 'viber', 'messenger', 'instagram']);

/**
 * Backslash, comma and line breaks escaped for a text value (RFC 6350 §3.4); with `component`, semicolons too, for a
 * component of a structured value (ADR) whose parts semicolons separate.
 */
export function escapeText(value: string, component = false): string {
  const escaped = value.replace(/\\/g, '\\\\').replace(/,/g, '\\,').replace(/\r\n|\r|\n/g, '\\n');
  return component ? escaped.replace(/;/g, '\\;') : escaped;
}

/** Splits a content line into lines of at most 75 octets; continuation lines start with one space. */
export function foldLine(line: string): string {
  const encoder = new TextEncoder();
  if (encoder.encode(line).length <= 75) return line;
  const parts: string[] = [];
  let current = '';
  let size = 0;
  for (const char of line) {
    const bytes = encoder.encode(char).length;
    const limit = parts.length === 0 ? 75 : 74;
    if (size + bytes > limit) {
      parts.push(current);
      current = '';
      size = 0;
    }
    current += char;
    size += bytes;
  }
  parts.push(current);
  return parts.join('\r\n ');
}

function revision(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

export function contactToVcard(contact: VcardContact): string {
  const lines: string[] = ['BEGIN:VCARD', 'VERSION:4.0', `UID:urn:uuid:${contact.id}`];
  const fallback = contact.identities[0]?.value ?? 'Contact';
  lines.push(`FN:${escapeText(contact.name?.trim() || fallback)}`);
  for (const identity of contact.identities) {
    if (identity.kind === 'phone') lines.push(`TEL;VALUE=uri;TYPE=cell:tel:${identity.value}`);
    else if (identity.kind === 'email') lines.push(`EMAIL:${escapeText(identity.value)}`);
    else if (IMPP_KINDS.has(identity.kind)) lines.push(`IMPP;X-SERVICE-TYPE=${identity.kind}:${identity.kind}:${encodeURI(identity.value)}`);
  }
  if (contact.address && Object.keys(contact.address).length > 0) {
    const a = contact.address;
    // ADR: post office box; extended address; street; locality; region; postal code; country
    const parts = ['', a.district ?? '', a.street ?? '', a.city ?? '', a.region ?? '', a.postalCode ?? '', a.country ?? ''];
    lines.push(`ADR:${parts.map((p) => escapeText(p, true)).join(';')}`);
  }
  if (contact.tags.length > 0) lines.push(`CATEGORIES:${contact.tags.map((t) => escapeText(t)).join(',')}`);
  if (contact.language) lines.push(`LANG:${escapeText(contact.language)}`);
  if (contact.timezone) lines.push(`TZ:${escapeText(contact.timezone)}`);
  lines.push(`REV:${revision(contact.updatedAt)}`, 'END:VCARD');
  return `${lines.map(foldLine).join('\r\n')}\r\n`;
}

/** A file name for a contact's card: letters, digits and dashes only. */
export function vcardFileName(name: string | null, id: string): string {
  const base = (name ?? '')
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return `${base || id}.vcf`;
}
