// One imported person, from a CSV row or a vCard, checked and normalised: phones in E.164, emails lower-case, tags
// split, the address put together. Everything wrong with a row is reported in one message per problem, each naming
// the row and the value ("row 7: phone '12ab' is not a phone number for PE"), so the file can be fixed in one pass.
import { isTimeZone } from '../core/time-zone.js';
import { type IdentityKind, InvalidIdentityError, normalizeEmail, normalizeIdentity, normalizePhone } from '../core/identity.js';
import { ADDRESS_FIELDS, type ImportField } from './fields.js';

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

export interface RowError {
  row: number;
  message: string;
}

export type RecordResult = { record: ImportRecord } | { errors: RowError[] };

const HANDLE_FIELDS = ['phone', 'email', 'whatsapp', 'telegram', 'viber', 'messenger', 'instagram'] as const;
const MAX_NAME = 200;
const MAX_TAG = 50;
const MAX_TAGS = 50;
const MAX_HANDLES = 50;

const LABELS: Record<(typeof HANDLE_FIELDS)[number], string> = {
  phone: 'phone',
  email: 'email',
  whatsapp: 'WhatsApp number',
  telegram: 'Telegram id',
  viber: 'Viber id',
  messenger: 'Messenger id',
  instagram: 'Instagram id',
};

const YES = new Set(['yes', 'y', 'si', 'sí', 's', 'true', '1', 'x', 'granted', 'ok', 'acepta', 'opt in', 'optin', 'subscribed', 'suscrito']);
const NO = new Set(['no', 'n', 'false', '0', 'revoked', 'opt out', 'optout', 'unsubscribed', 'baja', 'rechaza']);

export function checkRecord(raw: RawContact, options: { defaultRegion: string | null; label?: 'row' | 'card' }): RecordResult {
  const label = `${options.label ?? 'row'} ${raw.row}`;
  const errors: RowError[] = [];
  const fail = (message: string) => errors.push({ row: raw.row, message: `${label}: ${message}` });
  const texts = (field: ImportField) => (raw.values[field] ?? []).map((v) => v.trim()).filter(Boolean);
  const first = (field: ImportField) => texts(field)[0] ?? null;

  const consentText = first('consent');
  let consent: Consent | null = null;
  if (consentText) {
    const word = consentText.toLowerCase().normalize('NFC');
    if (YES.has(word)) consent = 'granted';
    else if (NO.has(word)) consent = 'revoked';
    else fail(`consent '${consentText}' is neither yes nor no (write yes/no, sí/no, true/false or 1/0, or leave it empty)`);
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
  if (identities.length > MAX_HANDLES) fail(`has ${identities.length} phones, emails and handles; at most ${MAX_HANDLES} are kept per contact`);

  const name = composeName(first('name'), texts('givenName').join(' ') || null, texts('familyName').join(' ') || null);
  if (name && name.length > MAX_NAME) fail(`name is ${name.length} characters long; at most ${MAX_NAME} are kept`);

  const tags = [...new Set(texts('tags').flatMap((cell) => cell.split(/[,;|]/)).map((t) => t.trim().toLowerCase()).filter(Boolean))];
  for (const tag of tags) if (tag.length > MAX_TAG) fail(`tag '${tag}' is longer than ${MAX_TAG} characters`);
  if (tags.length > MAX_TAGS) fail(`has ${tags.length} tags; at most ${MAX_TAGS} are kept per contact`);

  const address: Record<string, string> = {};
  for (const part of ADDRESS_FIELDS) {
    const text = texts(part).join(', ');
    if (text) address[part] = text;
  }

  const timezone = first('timezone');
  if (timezone && !isTimeZone(timezone)) fail(`time zone '${timezone}' is not an IANA time zone such as America/Lima`);
  const language = first('language');
  if (language && language.length > 20) fail(`language '${language}' is not a language code such as es or en`);

  const hadHandles = HANDLE_FIELDS.some((kind) => texts(kind).length > 0);
  if (!hadHandles) fail('has no phone, email or other way to reach the person; a contact needs at least one');

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

function normalizeHandle(kind: (typeof HANDLE_FIELDS)[number], raw: string, region: string | null, fail: (message: string) => void): string | null {
  const what = LABELS[kind];
  if (kind === 'phone' || kind === 'whatsapp') {
    // Spreadsheets turn long numbers into 5.19877E+10 and lose digits: nothing can bring them back.
    if (/^\d+(\.\d+)?e\+\d+$/i.test(raw)) {
      fail(`${what} '${raw}' was turned into a number by the spreadsheet and lost its digits; format the column as text and export again`);
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
      fail(
        region
          ? `${what} '${raw}' is not a phone number for ${region} (write it with its country code, e.g. +51 987 654 321, if it is from elsewhere)`
          : `${what} '${raw}' is not a phone number (write it with its country code, e.g. +51 987 654 321, or set the workspace's default country)`,
      );
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

function handleError(kind: (typeof HANDLE_FIELDS)[number], raw: string): string {
  if (kind === 'email') return `email '${raw}' is not an email address (write it as name@example.com)`;
  if (kind === 'telegram' && /^[^\s]{1,200}$/.test(raw)) {
    return `Telegram id '${raw}' is not a number: a bot can write to a person only by the id Telegram gives it (e.g. 123456789), not by a username; map the column to "ignore", and Lifeline adds the id when the customer first writes to your bot`;
  }
  return `${LABELS[kind]} '${raw}' is not valid: it must be 1-200 characters without spaces`;
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
