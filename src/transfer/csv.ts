// Reads a CSV contact list into rows of cells. The separator is whatever the header line uses (Excel in Spanish saves
// with ";", "Unicode text" with tabs); quoted values may hold separators and line breaks. Rows are numbered as a
// spreadsheet shows them: the header is row 1, and blank lines keep their number, so "row 7" is row 7 on screen.
import { CsvError } from 'csv-parse';
import { parse } from 'csv-parse/sync';

export interface CsvRow {
  /** As a spreadsheet numbers it: the header is row 1. */
  row: number;
  cells: string[];
}

export interface CsvTable {
  headers: string[];
  delimiter: string;
  /** Data rows, blank ones left out (they still count in the numbering). */
  rows: CsvRow[];
}

export class CsvReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CsvReadError';
  }
}

const DELIMITERS = [',', ';', '\t', '|'];

/** The separator the header line uses most, outside quotes; a comma when it uses none (a one-column file). */
export function detectDelimiter(text: string): string {
  const counts = new Map(DELIMITERS.map((d) => [d, 0]));
  let quoted = false;
  for (const char of text) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && (char === '\n' || char === '\r')) {
      if ([...counts.values()].some((n) => n > 0)) break;
    } else if (!quoted && counts.has(char)) counts.set(char, counts.get(char)! + 1);
  }
  let best = ',';
  for (const [delimiter, count] of counts) if (count > counts.get(best)!) best = delimiter;
  return best;
}

export function readCsv(text: string): CsvTable {
  const delimiter = detectDelimiter(text);
  let records: string[][];
  try {
    records = parse(text, {
      delimiter,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: false,
      trim: true,
    });
  } catch (error) {
    if (error instanceof CsvError) throw new CsvReadError(describeCsvError(error));
    throw error;
  }
  const headerIndex = records.findIndex((cells) => !isBlank(cells));
  if (headerIndex === -1) throw new CsvReadError('The file is empty: it needs a header row naming the columns, then one row per contact.');
  const headers = records[headerIndex]!.map((h) => h.trim());
  const rows: CsvRow[] = [];
  for (let i = headerIndex + 1; i < records.length; i++) {
    // Line breaks inside quoted values come as the file wrote them (CRLF from Windows): kept as plain \n.
    const cells = records[i]!.map((cell) => cell.replace(/\r\n?/g, '\n'));
    if (!isBlank(cells)) rows.push({ row: i + 1, cells });
  }
  return { headers, delimiter, rows };
}

function isBlank(cells: readonly string[]): boolean {
  return cells.every((cell) => cell.trim() === '');
}

function describeCsvError(error: CsvError): string {
  const line = typeof error.lines === 'number' ? ` (near line ${error.lines})` : '';
  if (error.code === 'CSV_QUOTE_NOT_CLOSED') {
    return `The file could not be read as CSV: a value opens a double quote that is never closed${line}. Check that quotes come in pairs, or save the file again from the spreadsheet.`;
  }
  if (error.code === 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE' || error.code === 'CSV_INVALID_CLOSING_QUOTE') {
    return `The file could not be read as CSV: a value in double quotes is followed by more text before the next separator${line}. Put the whole value in quotes, and write a quote inside it as two quotes ("").`;
  }
  return `The file could not be read as CSV${line}: ${error.message}. Save it again from the spreadsheet as CSV.`;
}
