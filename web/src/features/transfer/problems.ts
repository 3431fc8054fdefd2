// What an import says about a row, in the staff's language. The server writes each problem (and each note on a preview
// row) in English, naming the row ("row 7: …"), and sends it with its code and the values it quotes
// (src/transfer/problems.ts); in Spanish it is worded here from those, and a code this app does not know, or a result
// saved before the server kept codes, keeps the server's sentence. The page names the row itself, so neither says it.
// Pure.
import { channelName, spanishHandleNoun } from '../../format';
import type { Language } from '../../i18n';
import { strings } from './strings';

type Facts = Record<string, unknown>;

export interface ImportProblem {
  message: string;
  code?: string | null;
  facts?: Facts | null;
}

const text = (value: unknown) => (typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value));
const count = (value: unknown) => (typeof value === 'number' ? value : 0);
const quoted = (value: unknown) => `«${text(value)}»`;
const lower = (word: string) => word.charAt(0).toLowerCase() + word.slice(1);
/** "2, 3 y 4". */
const list = (items: readonly (string | number)[]) => (items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} y ${items[items.length - 1]}`);

/** "el teléfono", "el correo", "el número de WhatsApp", "el id de Telegram": a column that holds a way to reach someone. */
function fieldPhrase(field: unknown): string {
  if (field === 'phone') return `el ${lower(strings.es.fieldPhone)}`;
  if (field === 'email') return `el ${lower(strings.es.fieldEmail)}`;
  if (field === 'whatsapp') return `el número de ${channelName('whatsapp', 'es')}`;
  return `el id de ${channelName(text(field), 'es')}`;
}

/** "el teléfono +51987654321", "el WhatsApp +51…": a handle an existing customer has. */
function handlePhrase(handle: Facts): string {
  return `${spanishHandleNoun(text(handle.kind))} ${text(handle.value)}`;
}

/** "Perú" for PE; the code itself when the browser has no name for it. */
function countryName(region: string): string {
  try {
    return new Intl.DisplayNames(['es'], { type: 'region' }).of(region) ?? region;
  } catch {
    return region;
  }
}

const rowWord = (label: unknown) => (label === 'card' ? 'tarjeta' : 'fila');
const rowsWord = (label: unknown) => (label === 'card' ? 'tarjetas' : 'filas');

function owner(contact: Facts): string {
  const handles = Array.isArray(contact.handles) ? (contact.handles as Facts[]) : [];
  const who = contact.name ? `${text(contact.name)} (${text(contact.id)})` : text(contact.id);
  return `${list(handles.map(handlePhrase))} ${handles.length === 1 ? 'es' : 'son'} del cliente ${who}`;
}

const SPANISH: Record<string, (f: Facts) => string | null> = {
  consent_unclear: (f) => `el consentimiento ${quoted(f.value)} no es ni sí ni no (escribe sí/no, yes/no, true/false o 1/0, o déjalo vacío)`,
  too_many_handles: (f) => `tiene ${count(f.count)} teléfonos, correos y otros datos de contacto; un contacto guarda como máximo ${count(f.limit)}`,
  name_too_long: (f) => `el nombre tiene ${count(f.length)} caracteres; se guardan como máximo ${count(f.limit)}`,
  tag_too_long: (f) => `la etiqueta ${quoted(f.tag)} tiene más de ${count(f.limit)} caracteres`,
  too_many_tags: (f) => `tiene ${count(f.count)} etiquetas; un contacto guarda como máximo ${count(f.limit)}`,
  bad_time_zone: (f) => `la zona horaria ${quoted(f.value)} no es una zona horaria IANA, como America/Lima`,
  bad_language: (f) => `el idioma ${quoted(f.value)} no es un código de idioma, como es o en`,
  no_way_to_reach: () => 'no tiene teléfono, correo ni otra forma de contactar a la persona; un contacto necesita al menos una',
  phone_mangled: (f) =>
    `${fieldPhrase(f.field)} ${quoted(f.value)} se convirtió en número en la hoja de cálculo y perdió dígitos; da formato de texto a la columna y vuelve a exportar el archivo`,
  phone_invalid: (f) =>
    f.region
      ? `${fieldPhrase(f.field)} ${quoted(f.value)} no es un número válido de ${countryName(text(f.region))} (si es de otro país, escríbelo con su código de país, p. ej. +51 987 654 321)`
      : `${fieldPhrase(f.field)} ${quoted(f.value)} no es un número válido (escríbelo con su código de país, p. ej. +51 987 654 321, o elige el país de los teléfonos en Ajustes › Negocio)`,
  email_invalid: (f) => `el correo ${quoted(f.value)} no es una dirección de correo (escríbelo como nombre@ejemplo.com)`,
  telegram_username: (f) =>
    `el id de Telegram ${quoted(f.value)} no es un número: un bot solo puede escribirle a una persona por el id que le da Telegram (p. ej. 123456789), no por su nombre de usuario; ` +
    `elige «${strings.es.fieldIgnore}» para esa columna, y Lifeline añade el id cuando el cliente le escriba a tu bot por primera vez`,
  handle_invalid: (f) => `${fieldPhrase(f.field)} ${quoted(f.value)} no es válido: debe tener de 1 a 200 caracteres, sin espacios`,
  extra_values: (f) =>
    `tiene ${count(f.values)} valores, pero el encabezado tiene ${count(f.columns)} columnas; un valor que contiene el separador (${f.separator === '\t' ? 'tabulación' : quoted(f.separator)}) debe ir entre comillas dobles`,
  card_unreadable: (f) => `no se pudo leer (${text(f.error)}); vuelve a exportarla desde la agenda`,
  no_vcard: () => 'El archivo no contiene ninguna vCard: cada contacto debe empezar con BEGIN:VCARD y terminar con END:VCARD.',
  matches_several_contacts: (f) => {
    const contacts = Array.isArray(f.contacts) ? (f.contacts as Facts[]) : [];
    const rows = Array.isArray(f.rows) ? (f.rows as number[]) : [];
    const together = rows.length > 1 ? ` (las ${rowsWord(f.label)} ${list(rows)} son la misma persona)` : '';
    return `esta persona coincide con ${contacts.length} clientes que ya existen${together}: ${contacts.map(owner).join('; ')}. Primero une esos clientes, o corrige la ${rowWord(f.label)}.`;
  },
  same_person_nothing_new: (f) => `es la misma persona que la ${rowWord(f.label)} ${count(f.sameAsRow)} y no trae nada nuevo`,
  same_person_merged: (f) => `es la misma persona que la ${rowWord(f.label)} ${count(f.sameAsRow)}; se une en un solo contacto`,
  already_has_all: (f) => `el cliente ${f.contactName ? text(f.contactName) : text(f.contactId)} ya tiene todo esto`,
  updates_contact: (f) => {
    const shared = Array.isArray(f.shared) ? (f.shared as Facts[]) : [];
    return `se añade a ${f.contactName ? text(f.contactName) : `el cliente ${text(f.contactId)}`}, que ya tiene ${list(shared.map(handlePhrase))}`;
  },
  several_problems: (f) => {
    const problems = Array.isArray(f.problems) ? (f.problems as Facts[]) : [];
    const words = problems.map((p) => spanish(p.code, p.facts));
    return words.length > 0 && words.every((w) => w !== null) ? words.join('; ') : null;
  },
};

function spanish(code: unknown, facts: unknown): string | null {
  const word = typeof code === 'string' && Object.hasOwn(SPANISH, code) ? SPANISH[code] : undefined;
  return word ? word(facts && typeof facts === 'object' ? (facts as Facts) : {}) : null;
}

/** The server's messages start with "row 7: " (or "card 7: ") for the command line; the page shows the row itself. */
export function withoutRowLabel(message: string): string {
  return message.replace(/^(row|card) \d+: /, '');
}

/** A row's problem (or a preview row's note) as staff read it, without the row it is about. */
export function importProblemText(problem: ImportProblem, language: Language): string {
  if (language !== 'es' || !problem.code) return withoutRowLabel(problem.message);
  return spanish(problem.code, problem.facts) ?? withoutRowLabel(problem.message);
}

/**
 * The notes on how a file was read, in the staff's language. They follow from facts the result already gives (the
 * encoding it was read in, the columns mapped to nothing), so in Spanish they are worded from those; should the
 * server ever say more than these, its own notes are shown instead, so nothing is left out.
 */
export function importNotes(result: { notes: string[]; encoding: string; mapping?: Record<string, string> | null }, language: Language): string[] {
  if (language !== 'es') return result.notes;
  const notes: string[] = [];
  if (result.encoding === 'windows-1252') {
    notes.push(
      'El archivo no está en UTF-8, así que se leyó como Windows-1252 (así guarda Excel los CSV en Windows). Revisa que los nombres con tildes se vean bien en la vista previa; si no, guárdalo como «CSV UTF-8» y vuelve a importarlo.',
    );
  }
  if (result.encoding === 'utf-16le') notes.push('El archivo está en UTF-16 («Texto Unicode» de Excel); se leyó como tal.');
  if (result.encoding === 'utf-16be') notes.push('El archivo está en UTF-16 big-endian; se leyó como tal.');
  const ignored = Object.entries(result.mapping ?? {}).filter(([, field]) => field === 'ignore');
  if (ignored.length > 0) {
    const names = list(ignored.map(([header]) => quoted(header)));
    notes.push(
      ignored.length === 1
        ? `No se importa la columna ${names}. Si debe importarse, elige un campo para ella aquí abajo.`
        : `No se importan las columnas ${names}. Si deben importarse, elige un campo para ellas aquí abajo.`,
    );
  }
  return notes.length === result.notes.length ? notes : result.notes;
}
