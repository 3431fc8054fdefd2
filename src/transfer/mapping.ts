// Which column of a contact list holds which field: the mapping the person gave, and a guess from the headers for the
// columns they did not name. Columns are named by header ("Teléfono") or, when two share a header or there is none,
// by position ("#4", counting from 1). The resolved mapping is returned in the same form, so it can be edited and sent
// back.
import { guessField, type ImportField, IMPORT_FIELDS, isImportField, normalizeHeader } from './fields.js';

export interface MappedColumn {
  /** 0-based position in the row. */
  index: number;
  header: string;
  field: ImportField | null;
  /** Whether the field came from the given mapping rather than a guess. */
  given: boolean;
}

export interface ResolvedMapping {
  columns: MappedColumn[];
  /** Column name (header, or "#n") → field, or "ignore": what the import used. */
  mapping: Record<string, ImportField>;
}

export class MappingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MappingError';
  }
}

/** How a column is named in a mapping: its header, or "#n" when the header is blank or not unique. */
export function columnName(headers: readonly string[], index: number): string {
  const header = headers[index]?.trim() ?? '';
  if (!header) return `#${index + 1}`;
  const same = headers.filter((h) => normalizeHeader(h) === normalizeHeader(header)).length;
  return same > 1 ? `#${index + 1}` : header;
}

/**
 * Resolves `given` (column name → field) against the file's headers, then guesses the rest. Throws MappingError when
 * the mapping names a column or field that does not exist, or when no column holds a way to reach anyone.
 */
export function resolveMapping(headers: readonly string[], given: Readonly<Record<string, string>> = {}): ResolvedMapping {
  const chosen = new Map<number, ImportField>();
  for (const [name, rawField] of Object.entries(given)) {
    const index = findColumn(headers, name);
    if (index === null) {
      const names = headers.map((_, i) => columnName(headers, i));
      throw new MappingError(`The mapping names the column "${name}", but the file has no such column. Its columns are: ${names.map((n) => `"${n}"`).join(', ')}.`);
    }
    const field = rawField.trim();
    if (!isImportField(field)) {
      throw new MappingError(`The mapping puts column "${name}" into "${rawField}", which is not a field. Use one of: ${IMPORT_FIELDS.join(', ')}.`);
    }
    chosen.set(index, field);
  }
  const columns: MappedColumn[] = headers.map((header, index) => {
    const mapped = chosen.get(index);
    return { index, header, field: mapped === undefined ? guessField(header) : mapped === 'ignore' ? null : mapped, given: mapped !== undefined };
  });
  const reachable = columns.some((c) => c.field && ['phone', 'email', 'whatsapp', 'telegram', 'viber', 'messenger', 'instagram'].includes(c.field));
  if (!reachable) {
    throw new MappingError(
      `No column holds a phone number, email or other way to reach people (the headers are ${headers.map((h) => `"${h}"`).join(', ')}). ` +
        'Name the columns in the first row (e.g. "Nombre", "Teléfono", "Correo"), or map them, e.g. --map "Cel=phone".',
    );
  }
  const mapping: Record<string, ImportField> = {};
  for (const column of columns) mapping[columnName(headers, column.index)] = column.field ?? 'ignore';
  return { columns, mapping };
}

/** A column by "#n" or by header (compared without case, accents or punctuation). */
function findColumn(headers: readonly string[], name: string): number | null {
  const position = /^#(\d+)$/.exec(name.trim());
  if (position) {
    const index = Number(position[1]) - 1;
    return index >= 0 && index < headers.length ? index : null;
  }
  const wanted = normalizeHeader(name);
  const index = headers.findIndex((h) => normalizeHeader(h) === wanted);
  return index === -1 ? null : index;
}

/** Parses CLI-style "column=field" pairs; the last "=" separates, so headers may contain "=". */
export function parseMappingPairs(pairs: readonly string[]): Record<string, string> {
  const mapping: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.lastIndexOf('=');
    if (at <= 0 || at === pair.length - 1) {
      throw new MappingError(`"${pair}" is not a column=field pair: write it as --map "Teléfono 2=phone" (fields: ${IMPORT_FIELDS.join(', ')}).`);
    }
    mapping[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
  }
  return mapping;
}
