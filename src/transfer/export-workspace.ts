// The full workspace export: a ZIP of JSON Lines (format in archive-format.ts), written as the rows are read, page
// by page, so a workspace of millions of messages streams out in constant memory. The export covers what existed when
// it started; the manifest, written last, counts what each file holds.
import { readFileSync } from 'node:fs';
import type { WorkspaceData } from '../store/store.js';
import {
  ARCHIVE_FILES,
  ARCHIVE_FORMAT,
  ARCHIVE_FORMAT_VERSION,
  ARCHIVE_OMITS,
  attachmentRecords,
  attemptRecord,
  channelRecord,
  contactRecord,
  conversationRecord,
  deliveryRecord,
  identityRecord,
  type Manifest,
  type ManifestFile,
  messageRecord,
  partName,
  userRecord,
  workspaceRecord,
} from './archive-format.js';
import type { ZipWriter } from './zip-stream.js';

/** The package's version (src/ and dist/ both sit two levels below package.json). */
const LIFELINE_VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** fflate writes no ZIP64: an entry must stay under 4 GiB, so a bigger file continues in a next part. */
export const MAX_PART_BYTES = 3.5 * 1024 ** 3;

export interface ExportProgress {
  file: string;
  /** Records written so far, over all files. */
  written: number;
  /** About how many records the export will hold. */
  expected: number;
}

export interface ExportOptions {
  /** The moment the export covers; default now. */
  now?: number;
  onProgress?: (progress: ExportProgress) => void;
  /** For tests: a smaller part size. */
  maxPartBytes?: number;
}

export class ExportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExportError';
  }
}

export async function exportWorkspace(data: WorkspaceData, zip: ZipWriter, options: ExportOptions = {}): Promise<Manifest> {
  const until = options.now ?? Date.now();
  const archive = data.archive;
  const workspace = await archive.workspace();
  if (!workspace) throw new ExportError(`The workspace ${data.workspaceId} does not exist.`);
  const counts = await archive.counts(until);
  const expected = Object.values(counts).reduce((a, b) => a + b, 0);
  let written = 0;
  const maxPartBytes = options.maxPartBytes ?? MAX_PART_BYTES;

  const files: Record<string, ManifestFile> = {};
  const write = async (file: string, pages: AsyncIterable<object[]>, counted = true) => {
    files[file] = await writeJsonl(zip, file, pages, maxPartBytes, (n) => {
      if (counted) written += n;
      options.onProgress?.({ file, written, expected });
    });
  };

  await zip.addText('workspace.json', `${JSON.stringify(workspaceRecord(workspace), null, 2)}\n`);
  const sources: Record<(typeof ARCHIVE_FILES)[number], () => AsyncIterable<object[]>> = {
    users: () => mapPages(archive.users(), userRecord),
    channels: () => mapPages(archive.channels(), channelRecord),
    contacts: () => mapPages(archive.contacts(until), ({ contact, tags }) => contactRecord(contact, tags)),
    identities: () => mapPages(archive.identities(until), identityRecord),
    conversations: () => mapPages(archive.conversations(until), conversationRecord),
    messages: () => mapPages(archive.messages(until), messageRecord),
    attachments: () => flatPages(archive.messages(until), attachmentRecords),
    deliveries: () => mapPages(archive.deliveries(until), deliveryRecord),
    delivery_attempts: () => mapPages(archive.attempts(until), attemptRecord),
  };
  for (const file of ARCHIVE_FILES) await write(file, sources[file](), file !== 'attachments');
  for (const table of await archive.extraTables()) await write(table.name, archive.rawRows(table, until));

  const manifest: Manifest = {
    format: ARCHIVE_FORMAT,
    formatVersion: ARCHIVE_FORMAT_VERSION,
    exportedAt: new Date(until).toISOString(),
    lifelineVersion: LIFELINE_VERSION,
    workspace: { id: workspace.id, name: workspace.name, slug: workspace.slug },
    files,
    omitted: ARCHIVE_OMITS,
  };
  await zip.addText('manifest.json', `${JSON.stringify(manifest, null, 2)}\n`);
  await zip.end();
  return manifest;
}

async function* mapPages<Row>(pages: AsyncIterable<Row[]>, map: (row: Row) => object): AsyncGenerator<object[]> {
  for await (const page of pages) yield page.map(map);
}

async function* flatPages<Row>(pages: AsyncIterable<Row[]>, map: (row: Row) => object[]): AsyncGenerator<object[]> {
  for await (const page of pages) {
    const records = page.flatMap(map);
    if (records.length > 0) yield records;
  }
}

/** One JSON Lines file, split into parts of at most `maxPartBytes`; an empty file is still written (0 records). */
async function writeJsonl(zip: ZipWriter, file: string, pages: AsyncIterable<object[]>, maxPartBytes: number, onRecords: (n: number) => void): Promise<ManifestFile> {
  const parts = [partName(file, 1)];
  let entry = zip.open(parts[0]!);
  let size = 0;
  let records = 0;
  for await (const page of pages) {
    if (zip.closed) throw new ExportError('The export was cancelled: the download was closed before it finished.');
    let text = '';
    let textBytes = 0;
    for (const record of page) {
      const line = `${JSON.stringify(record)}\n`;
      const bytes = Buffer.byteLength(line);
      if (size + textBytes > 0 && size + textBytes + bytes > maxPartBytes) {
        await entry.write(text);
        await entry.close();
        parts.push(partName(file, parts.length + 1));
        entry = zip.open(parts.at(-1)!);
        text = '';
        textBytes = 0;
        size = 0;
      }
      text += line;
      textBytes += bytes;
      records++;
    }
    size += textBytes;
    await entry.write(text);
    onRecords(page.length);
  }
  await entry.close();
  return { records, parts };
}
