// Reads vCard files (versions 2.1, 3.0 and 4.0: what phones, Google Contacts, Outlook and Apple Contacts export)
// into the same field values a CSV row gives, so both go through one set of checks. Each card is parsed on its own:
// one broken card is reported by its number and the others still import.
import ICAL from 'ical.js';
import type { ImportField } from './fields.js';
import { worded } from './problems.js';
import type { RawContact, RowError } from './records.js';

export interface VcardReadResult {
  cards: RawContact[];
  errors: RowError[];
}

/** IMPP / X-SOCIALPROFILE schemes and X- properties that name a Lifeline channel. */
const SERVICE_FIELDS: Record<string, ImportField> = {
  whatsapp: 'whatsapp',
  telegram: 'telegram',
  viber: 'viber',
  messenger: 'messenger',
  fb: 'messenger',
  facebook: 'messenger',
  instagram: 'instagram',
};

const CARD = /BEGIN:VCARD[\s\S]*?END:VCARD/gi;

export function looksLikeVcard(text: string): boolean {
  return /^\s*BEGIN:VCARD/i.test(text);
}

export function readVcards(text: string): VcardReadResult {
  const blocks = text.match(CARD) ?? [];
  if (blocks.length === 0) {
    return { cards: [], errors: [{ row: 0, ...worded({ code: 'no_vcard', facts: {} }) }] };
  }
  const cards: RawContact[] = [];
  const errors: RowError[] = [];
  blocks.forEach((block, i) => {
    const number = i + 1;
    try {
      cards.push({ row: number, values: valuesOf(new ICAL.Component(ICAL.parse(textTimeZones(namedParameters(unfoldQuotedPrintable(block)))) as unknown[])) });
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      errors.push({ row: number, ...worded({ code: 'card_unreadable', facts: { error: why } }, { label: 'card', row: number }) });
    }
  });
  return { cards, errors };
}

function valuesOf(card: InstanceType<typeof ICAL.Component>): RawContact['values'] {
  const values: RawContact['values'] = {};
  const add = (field: ImportField, value: unknown) => {
    if (typeof value === 'string' && value.trim()) (values[field] ??= []).push(value.trim());
  };
  const fn = card.getFirstPropertyValue('fn');
  if (typeof fn === 'string' && fn.trim()) add('name', fn);
  else {
    const n = card.getFirstPropertyValue('n');
    if (Array.isArray(n)) {
      // N: family; given; additional; prefix; suffix
      add('givenName', [n[3], n[1], n[2]].filter((p) => typeof p === 'string' && p).join(' '));
      add('familyName', [n[0], n[4]].filter((p) => typeof p === 'string' && p).join(' '));
    }
  }
  for (const property of card.getAllProperties()) {
    const name = property.name.toLowerCase();
    const value = property.getFirstValue();
    if (name === 'tel') add('phone', typeof value === 'string' ? value.replace(/^tel:/i, '') : value);
    else if (name === 'email') add('email', value);
    else if (name === 'categories') for (const tag of property.getValues()) add('tags', tag);
    else if (name === 'lang') add('language', value);
    else if (name === 'tz' && typeof value === 'string' && value.includes('/')) add('timezone', value);
    else if (name === 'adr' && Array.isArray(value)) {
      // ADR: post office box; extended; street; locality; region; postal code; country
      const part = (i: number) => (typeof value[i] === 'string' ? (value[i] as string) : Array.isArray(value[i]) ? (value[i] as string[]).join(' ') : '');
      add('street', [part(2), part(0)].filter(Boolean).join(', '));
      add('district', part(1));
      add('city', part(3));
      add('region', part(4));
      add('postalCode', part(5));
      add('country', part(6));
    } else if (name === 'impp' || name === 'x-socialprofile') {
      const type = property.getParameter('type');
      const service = String(property.getParameter('x-service-type') ?? (Array.isArray(type) ? type[0] : type) ?? '').toLowerCase();
      const text = typeof value === 'string' ? value : '';
      const scheme = /^([a-z][a-z0-9+.-]*):(.*)$/i.exec(text);
      const field = SERVICE_FIELDS[scheme?.[1]?.toLowerCase() ?? ''] ?? SERVICE_FIELDS[service];
      if (field) add(field, scheme && SERVICE_FIELDS[scheme[1]!.toLowerCase()] ? scheme[2] : text);
    } else if (name.startsWith('x-')) {
      const field = SERVICE_FIELDS[name.slice(2)];
      if (field) add(field, value);
    }
  }
  return values;
}

/**
 * vCard 3.0 types TZ as a UTC offset, so the parser throws on "TZ:America/Lima" (which phones and Lifeline's own export
 * write); a zone name is marked as text instead.
 */
function textTimeZones(block: string): string {
  return block.replace(/^TZ((?:;[^:\r\n]*)?):(?![+-]?\d)/gim, (line: string, params: string) => (/VALUE=/i.test(params) ? line : `TZ${params};VALUE=TEXT:`));
}

/** vCard 2.1 writes parameters bare ("TEL;CELL;PREF:…"); later versions, and the parser, want "TYPE=CELL". */
function namedParameters(block: string): string {
  return block.replace(/^([A-Za-z0-9.-]+)((?:;[^:\r\n]*)?):/gm, (_, name: string, params: string) => {
    const named = params
      .split(';')
      .map((param) => (param === '' || param.includes('=') ? param : `TYPE=${param}`))
      .join(';');
    return `${name}${named}:`;
  });
}

/**
 * vCard 2.1 writes non-ASCII names as quoted-printable with soft line breaks ("=" at the end of a line), which the
 * parser reads as broken lines; decoded here, as UTF-8 (what phones write).
 */
function unfoldQuotedPrintable(block: string): string {
  return block.replace(/^([^:\r\n]*ENCODING=QUOTED-PRINTABLE[^:\r\n]*):((?:[^\r\n]*=\r?\n)*[^\r\n]*)$/gim, (_, head: string, body: string) => {
    const joined = body.replace(/=\r?\n/g, '');
    const bytes: number[] = [];
    for (let i = 0; i < joined.length; i++) {
      if (joined[i] === '=' && /^[0-9A-F]{2}$/i.test(joined.slice(i + 1, i + 3))) {
        bytes.push(parseInt(joined.slice(i + 1, i + 3), 16));
        i += 2;
      } else bytes.push(joined.charCodeAt(i) & 0xff);
    }
    const cleanHead = head.replace(/;ENCODING=QUOTED-PRINTABLE/i, '').replace(/;CHARSET=[^;:]*/i, '');
    return `${cleanHead}:${new TextDecoder('utf-8').decode(new Uint8Array(bytes))}`;
  });
}
