// Importing a contact list (CSV or vCard): read and decode the file, map its columns, check every row, then match
// the people against the workspace's contacts and write the result in one transaction — or, for a dry run, only say
// what would happen. Rows with errors are reported and left out; every valid row is imported, or none is (a crash or
// a database error mid-way rolls the whole import back). The import has an id from the start, so its progress can be
// followed (GET /api/v1/imports/:id, or the CLI's progress bar) while it runs.
import { badRequest } from '../errors.js';
import type { ImportPhase } from '../store/imports.js';
import type { WorkspaceData } from '../store/store.js';
import { readCsv, CsvReadError } from './csv.js';
import { type DecodedText, decodeText } from './decode.js';
import type { ImportField } from './fields.js';
import { MappingError, resolveMapping } from './mapping.js';
import { matchKeysOf, type NoNote, planImport, type ImportPlan, type RowAction } from './plan.js';
import { type RowLabel, type SingleProblem, type WordedProblem, worded } from './problems.js';
import { checkRecord, type ImportRecord, type RawContact, rawFromCells, type RowError } from './records.js';
import { looksLikeVcard, readVcards } from './vcard-read.js';

export type ImportFormat = 'csv' | 'vcard';

/** More rows than this are refused: one import is one transaction, and it should not hold the database for long. */
export const MAX_IMPORT_ROWS = 100_000;
/** Problems listed in a result; `errorCount` counts the rows they leave out. */
export const MAX_LISTED_ERRORS = 1000;
export const DEFAULT_PREVIEW_ROWS = 20;

export interface ImportProgress {
  phase: ImportPhase;
  /** Rows checked so far, or write steps done in the writing phase. */
  processed: number;
  total: number;
  /** Of the whole import, from 0 to 1. */
  fraction: number;
}

export interface ContactImportOptions {
  /** Detected from the content when absent. */
  format?: ImportFormat;
  /** Column name → field; columns left out are guessed from their headers. CSV only. */
  mapping?: Record<string, string>;
  dryRun: boolean;
  /** Rows to show as they would be imported; default 20 for a dry run, none otherwise. */
  previewRows?: number;
  actor: string;
  onProgress?: (progress: ImportProgress) => void;
}

export type PreviewRow = {
  row: number;
  action: RowAction;
  contactId: string | null;
  sameAsRow: number | null;
  name: string | null;
  identities: { kind: string; value: string; consent: string | null }[];
  tags: string[];
  address: Record<string, string> | null;
  language: string | null;
  timezone: string | null;
  /** What is wrong with the row, or why it is skipped or merged: `message` in English, with its code and facts. */
} & (WordedProblem | NoNote);

export interface ContactImportResult {
  id: string;
  format: ImportFormat;
  dryRun: boolean;
  /** How the file's bytes were read. */
  encoding: string;
  /** Things to know about the file as a whole (its encoding, ignored columns…). */
  notes: string[];
  /** Data rows (CSV, blank lines not counted) or cards (vCard) in the file. */
  total: number;
  /** New contacts. */
  created: number;
  /** Existing contacts that gained a handle, a tag or a field they lacked. */
  updated: number;
  /** Valid rows that brought nothing new: repeats of an earlier row, or of what the contact already had. */
  skipped: number;
  /** Rows folded into another row of the file that is the same person. */
  merged: number;
  /** Rows (or cards) left out; a row with two problems counts once. */
  errorCount: number;
  /** What is wrong with the rows left out, one entry per problem; the first MAX_LISTED_ERRORS. */
  errors: RowError[];
  /** CSV: the mapping used, column name → field ("ignore" for columns left out). */
  mapping: Record<string, ImportField> | null;
  preview?: PreviewRow[];
}

interface Parsed {
  format: ImportFormat;
  raws: RawContact[];
  errors: RowError[];
  mapping: Record<string, ImportField> | null;
  notes: string[];
  label: RowLabel;
}

const PHASE_SPAN: Record<ImportPhase, [number, number]> = {
  reading: [0, 0.05],
  checking: [0.05, 0.6],
  matching: [0.6, 0.7],
  writing: [0.7, 1],
  done: [1, 1],
};

/** Starts an import: its id at once, and its result (or error) when it is over. */
export async function startContactImport(
  data: WorkspaceData,
  defaultRegion: string | null,
  bytes: Uint8Array,
  options: ContactImportOptions,
): Promise<{ id: string; done: Promise<ContactImportResult> }> {
  const decoded = decodeText(bytes);
  const format: ImportFormat = options.format ?? (looksLikeVcard(decoded.text) ? 'vcard' : 'csv');
  const id = await data.imports.create({ kind: 'contacts', format, dryRun: options.dryRun, actor: options.actor });
  const done = runImport(data, defaultRegion, decoded, format, options, id).then(
    async (result) => {
      await data.imports.finish(id, { result });
      return result;
    },
    async (error: unknown) => {
      await data.imports.finish(id, { error: error instanceof Error ? error.message : String(error) }).catch(() => {});
      throw error;
    },
  );
  return { id, done };
}

async function runImport(
  data: WorkspaceData,
  defaultRegion: string | null,
  decoded: DecodedText,
  format: ImportFormat,
  options: ContactImportOptions,
  id: string,
): Promise<ContactImportResult> {
  const notify = (phase: ImportPhase, processed: number, total: number) => {
    const [from, to] = PHASE_SPAN[phase];
    options.onProgress?.({ phase, processed, total, fraction: from + (to - from) * (total > 0 ? Math.min(processed / total, 1) : 1) });
  };
  let lastSaved = 0;
  let lastPhase: ImportPhase | null = null;
  // Progress is saved at most twice a second and at each new phase, and only outside the import's transaction (on
  // SQLite a write from outside it would wait for it to end): from "matching" on, the row says "matching" until done.
  const report = async (phase: ImportPhase, processed: number, total: number) => {
    notify(phase, processed, total);
    const now = Date.now();
    if (phase !== lastPhase || now - lastSaved >= 500) {
      lastSaved = now;
      lastPhase = phase;
      await data.imports.progress(id, { phase, processed, total });
    }
  };

  await report('reading', 0, 1);
  if (decoded.text.trim() === '') throw badRequest('empty_file', 'The file is empty: send a CSV file with a header row, or a vCard (.vcf) file.');
  const parsed = format === 'vcard' ? parseVcard(decoded.text) : parseCsv(decoded.text, options.mapping ?? {});
  if (decoded.note) parsed.notes.unshift(decoded.note);
  const total = parsed.raws.length + parsed.errors.filter((e) => e.row > 0).length;
  if (total > MAX_IMPORT_ROWS) {
    throw badRequest('too_many_rows', `The file has ${total} rows; one import takes at most ${MAX_IMPORT_ROWS}. Split it into smaller files and import them one after the other.`);
  }
  await report('reading', 1, 1);

  const records: ImportRecord[] = [];
  const errors: RowError[] = [...parsed.errors];
  for (let i = 0; i < parsed.raws.length; i++) {
    const checked = checkRecord(parsed.raws[i]!, { defaultRegion, label: parsed.label });
    if ('record' in checked) records.push(checked.record);
    else errors.push(...checked.errors);
    if (i % 500 === 499) await report('checking', i + 1, parsed.raws.length);
  }
  await report('checking', parsed.raws.length, parsed.raws.length);

  await report('matching', 0, 1);
  const { plan } = await data.imports.run(matchKeysOf(records), (existing) => planImport(records, existing, parsed.label), {
    dryRun: options.dryRun,
    actor: options.actor,
    importId: id,
    onWrite: (done, steps) => notify('writing', done, steps),
    rowErrors: errors.length,
  });
  errors.push(...plan.errors);
  errors.sort((a, b) => a.row - b.row);
  notify('done', total, total);

  const outcomes = [...plan.outcomes.values()];
  const previewRows = options.previewRows ?? (options.dryRun ? DEFAULT_PREVIEW_ROWS : 0);
  return {
    id,
    format,
    dryRun: options.dryRun,
    encoding: decoded.encoding,
    notes: parsed.notes,
    total,
    created: plan.creates.length,
    updated: plan.updates.length,
    skipped: outcomes.filter((o) => o.action === 'skip').length,
    merged: outcomes.filter((o) => o.action === 'merge').length,
    errorCount: new Set(errors.map((e) => e.row)).size,
    errors: errors.slice(0, MAX_LISTED_ERRORS),
    mapping: parsed.mapping,
    ...(previewRows > 0 ? { preview: preview(records, errors, plan, previewRows, parsed.label) } : {}),
  };
}

function parseCsv(text: string, mapping: Record<string, string>): Parsed {
  let table;
  let resolved;
  try {
    table = readCsv(text);
    resolved = resolveMapping(table.headers, mapping);
  } catch (error) {
    if (error instanceof CsvReadError) throw badRequest('invalid_csv', error.message);
    if (error instanceof MappingError) throw badRequest('invalid_mapping', error.message);
    throw error;
  }
  const notes: string[] = [];
  const ignored = resolved.columns.filter((c) => c.field === null && c.header.trim() !== '');
  if (ignored.length > 0) {
    notes.push(`Columns not imported: ${ignored.map((c) => `"${c.header}"`).join(', ')}. If they should be, choose a field for them (in the import preview, or with --map "${ignored[0]!.header}=tags" on the command line).`);
  }
  const errors: RowError[] = [];
  const raws: RawContact[] = [];
  const width = table.headers.length;
  for (const { row, cells } of table.rows) {
    const extra = cells.slice(width).filter((c) => c.trim() !== '');
    if (extra.length > 0) {
      errors.push({ row, ...worded({ code: 'extra_values', facts: { values: width + extra.length, columns: width, separator: table.delimiter } }, { label: 'row', row }) });
      continue;
    }
    raws.push(rawFromCells(row, cells, resolved.columns));
  }
  return { format: 'csv', raws, errors, mapping: resolved.mapping, notes, label: 'row' };
}

function parseVcard(text: string): Parsed {
  const { cards, errors } = readVcards(text);
  if (cards.length === 0 && errors.length > 0) throw badRequest('invalid_vcard', errors.map((e) => e.message).join(' '));
  return { format: 'vcard', raws: cards, errors, mapping: null, notes: [], label: 'card' };
}

function preview(records: ImportRecord[], errors: RowError[], plan: ImportPlan, limit: number, label: RowLabel): PreviewRow[] {
  const byRow = new Map(records.map((r) => [r.row, r]));
  const errorsByRow = new Map<number, RowError[]>();
  for (const error of errors) errorsByRow.set(error.row, [...(errorsByRow.get(error.row) ?? []), error]);
  const rows = [...new Set([...byRow.keys(), ...errorsByRow.keys()])].filter((row) => row > 0).sort((a, b) => a - b).slice(0, limit);
  return rows.map((row): PreviewRow => {
    const record = byRow.get(row);
    const outcome = plan.outcomes.get(row);
    const problems = errorsByRow.get(row);
    const note = problems
      ? problems.length === 1
        ? noteOf(problems[0]!)
        : // "row 3: phone …; email …": the row is named once.
          worded({ code: 'several_problems', facts: { problems: problems.map((p) => ({ code: p.code, facts: p.facts }) as SingleProblem) } }, { label, row })
      : noteOf(outcome ?? { message: null, code: null, facts: null });
    return {
      row,
      action: problems ? 'error' : (outcome?.action ?? 'error'),
      contactId: outcome?.contactId ?? null,
      sameAsRow: outcome?.sameAsRow ?? null,
      name: record?.name ?? null,
      identities: record?.identities.map((i) => ({ kind: i.kind, value: i.value, consent: i.consent })) ?? [],
      tags: record?.tags ?? [],
      address: record?.address ?? null,
      language: record?.language ?? null,
      timezone: record?.timezone ?? null,
      ...note,
    };
  });
}

/** Only the note of a row error or outcome: its message, code and facts. */
function noteOf(from: WordedProblem | NoNote): WordedProblem | NoNote {
  return from.code === null ? { message: null, code: null, facts: null } : ({ message: from.message, code: from.code, facts: from.facts } as WordedProblem);
}
