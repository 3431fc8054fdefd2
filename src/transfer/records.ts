// One imported person, from a CSV row or a vCard, checked and normalised: phones in E.164, emails lower-case, tags
// split, the address put together. Everything wrong with a row is reported in one message per problem, each naming
// the row and the value ("row 7: phone '12ab' is not a phone number for PE"), so the file can be fixed in one pass;
// each problem also carries its code and facts (problems.ts), to be worded in the staff's language.
import { isTimeZone } from '../core/time-zone.js';
import { type IdentityKind, InvalidIdentityError, normalizeEmail, normalizeIdentity, normalizePhone } from '../core/identity.js';
import { ADDRESS_FIELDS, type ImportField } from './fields.js';
import { type HandleField, type SingleProblem, type WordedProblem, worded } from './problems.js';

export type Consent = 'granted' | 'revoked' | 'unknown';

/** What a row or card says, field by field, before any checking. */
export interface RawContact {
  /** The row number (CSV, as a spreadsheet counts) or the card number (vCard, from 1). */
  row: number;
  values: Partial<Record<ImportField, string[]>>;
}

export interface ImportIdentity {
  kind: IdentityKind;
  value: string;
  /** From a consent column; null when the file says nothing. */
  consent: Consent | null;
}

/** A checked, normalised person, ready to be matched against the workspace's contacts. */
export interface ImportRecord {
  row: number;
  name: string | null;
  identities: ImportIdentity[];
  tags: string[];
  address: Record<string, string> | null;
  language: string | null;
  timezone: string | null;
}

/** One problem of one row (or card): its English sentence, which names the row, with its code and facts. */
export type RowError = { row: number } & WordedProblem;

export type RecordResult = { record: ImportRecord } | { errors: RowError[] };

const HANDLE_FIELDS = ['phone', 'email', 'whatsapp', 'telegram', 'viber', 'messenger', 'instagram'] as const satisfies readonly HandleField[];
const MAX_NAME = 200;
const MAX_TAG = 50;
const MAX_TAGS = 50;
const MAX_HANDLES = 50;

const YES = new Set(['yes', 'y', 'si', 'sí', 's', 'true', '1', 'x', 'granted', 'ok', 'acepta', 'opt in', 'optin', 'subscribed', 'suscrito']);
const NO = new Set(['no', 'n', 'false', '0', 'revoked', 'opt out', 'optout', 'unsubscribed', 'baja', 'rechaza']);

export function checkRecord(raw: RawContact, options: { defaultRegion: string | null; label?: 'row' | 'card' }): RecordResult {
  const at = { label: options.label ?? 'row', row: raw.row };
  const errors: RowError[] = [];
  const fail = (problem: SingleProblem) => errors.push({ row: raw.row, ...worded(problem, at) });
  const texts = (field: ImportField) => (raw.values[field] ?? []).map((v) => v.trim()).filter(Boolean);
  const first = (field: ImportField) => texts(field)[0] ?? null;

  const consentText = first('consent');
  let consent: Consent | null = null;
  if (consentText) {
    const word = consentText.toLowerCase().normalize('NFC');
    if (YES.has(word)) consent = 'granted';
    else if (NO.has(word)) consent = 'revoked';
    else fail({ code: 'consent_unclear', facts: { value: consentText } });
  }

  const identities: ImportIdentity[] = [];
  const seen = new Set<string>();
  for (const kind of HANDLE_FIELDS) {
    for (const cell of texts(kind)) {
      for (const rawValue of splitHandles(kind, cell)) {
        const value = normalizeHandle(kind, rawValue, options.defaultRegion, fail);
        if (value === null || seen.has(`${kind}:${value}`)) continue;
        seen.add(`${kind}:${value}`);
        identities.push({ kind, value, consent });
      }
    }
  }
  if (identities.length > MAX_HANDLES) fail({ code: 'too_many_handles', facts: { count: identities.length, limit: MAX_HANDLES } });

  const name = composeName(first('name'), texts('givenName').join(' ') || null, texts('familyName').join(' ') || null);
  if (name && name.length > MAX_NAME) fail({ code: 'name_too_long', facts: { length: name.length, limit: MAX_NAME } });

  const tags = [...new Set(texts('tags').flatMap((cell) => cell.split(/[,;|]/)).map((t) => t.trim().toLowerCase()).filter(Boolean))];
  for (const tag of tags) if (tag.length > MAX_TAG) fail({ code: 'tag_too_long', facts: { tag, limit: MAX_TAG } });
  if (tags.length > MAX_TAGS) fail({ code: 'too_many_tags', facts: { count: tags.length, limit: MAX_TAGS } });

  const address: Record<string, string> = {};
  for (const part of ADDRESS_FIELDS) {
    const text = texts(part).join(', ');
    if (text) address[part] = text;
  }

  const timezone = first('timezone');
  if (timezone && !isTimeZone(timezone)) fail({ code: 'bad_time_zone', facts: { value: timezone } });
  const language = first('language');
  if (language && language.length > 20) fail({ code: 'bad_language', facts: { value: language } });

  const hadHandles = HANDLE_FIELDS.some((kind) => texts(kind).length > 0);
  if (!hadHandles) fail({ code: 'no_way_to_reach', facts: {} });

  if (errors.length > 0) return { errors };
  return {
    record: {
      row: raw.row,
      name,
      identities,
      tags: tags.slice(0, MAX_TAGS),
      address: Object.keys(address).length > 0 ? address : null,
      language: language ?? null,
      timezone: timezone ?? null,
    },
  };
}

/** "Ana" + "Pérez" → "Ana Pérez"; a full-name column wins, with a family-name column added when it lacks it. */
function composeName(full: string | null, given: string | null, family: string | null): string | null {
  if (full) return family && !full.toLowerCase().includes(family.toLowerCase()) ? `${full} ${family}` : full;
  const joined = [given, family].filter(Boolean).join(' ').trim();
  return joined || null;
}

/** Several handles in one cell: "987 654 321 / 912 345 678", "ana@x.com; ana@y.com". */
function splitHandles(kind: (typeof HANDLE_FIELDS)[number], cell: string): string[] {
  // Links to a chat ("https://wa.me/51987654321", "t.me/ana") hold the handle after their last slash.
  const text = cell.replace(/(https?:\/\/)?(wa\.me\/|api\.whatsapp\.com\/send\?phone=|t\.me\/)/gi, '');
  const separators = kind === 'email' ? /[;,/|\n\s]+/ : /[;,/|\n]+/;
  return text.split(separators).map((v) => v.trim()).filter(Boolean);
}

function normalizeHandle(kind: HandleField, raw: string, region: string | null, fail: (problem: SingleProblem) => void): string | null {
  if (kind === 'phone' || kind === 'whatsapp') {
    // Spreadsheets turn long numbers into 5.19877E+10 and lose digits: nothing can bring them back.
    if (/^\d+(\.\d+)?e\+\d+$/i.test(raw)) {
      fail({ code: 'phone_mangled', facts: { field: kind, value: raw } });
      return null;
    }
    const text = raw.replace(/^(\d+)\.0$/, '$1');
    try {
      return normalizePhone(text, region ?? undefined);
    } catch (error) {
      if (!(error instanceof InvalidIdentityError)) throw error;
      // Digits with a country code but no "+", as WhatsApp tools export them.
      const digits = text.replace(/[\s().-]/g, '');
      if (region && /^\d{10,15}$/.test(digits)) {
        try {
          return normalizePhone(`+${digits}`);
        } catch {
          // Not international either: reported below.
        }
      }
      fail({ code: 'phone_invalid', facts: { field: kind, value: raw, region } });
      return null;
    }
  }
  try {
    if (kind === 'email') return normalizeEmail(raw.replace(/^mailto:/i, ''));
    return normalizeIdentity(kind, raw, region ?? undefined);
  } catch (error) {
    if (!(error instanceof InvalidIdentityError)) throw error;
    fail(handleError(kind, raw));
    return null;
  }
}

function handleError(kind: Exclude<HandleField, 'phone' | 'whatsapp'>, raw: string): SingleProblem {
  if (kind === 'email') return { code: 'email_invalid', facts: { value: raw } };
  if (kind === 'telegram' && /^[^\s]{1,200}$/.test(raw)) return { code: 'telegram_username', facts: { value: raw } };
  return { code: 'handle_invalid', facts: { field: kind, value: raw } };
}

/** A CSV row as field values, by the resolved mapping; cells past the last mapped column are ignored. */
export function rawFromCells(row: number, cells: readonly string[], columns: readonly { index: number; field: ImportField | null }[]): RawContact {
  const values: Partial<Record<ImportField, string[]>> = {};
  for (const column of columns) {
    if (!column.field || column.field === 'ignore') continue;
    const cell = cells[column.index];
    if (cell === undefined || cell.trim() === '') continue;
    (values[column.field] ??= []).push(cell);
  }
  return { row, values };
}
