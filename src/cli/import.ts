// `lifeline import contacts FILE` (CSV or vCard) and `lifeline import workspace FILE.zip`: the same imports as the
// API, run against the configured database, with progress on stderr and a summary on stdout. Exit status: 0 when
// every row was imported, 2 when some rows had errors (the others were imported), 1 when nothing could be done.
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import type { Config } from '../config.js';
import { LifelineError } from '../errors.js';
import type { Store } from '../store/store.js';
import type { Workspace } from '../store/workspaces.js';
import { type ContactImportResult, startContactImport } from '../transfer/import-contacts.js';
import { importWorkspace } from '../transfer/import-workspace.js';
import { MappingError, parseMappingPairs } from '../transfer/mapping.js';
import { openStore } from './open-store.js';
import { ProgressReporter, type ProgressStream } from './progress.js';

export interface CliOutput {
  stdout: { write(text: string): unknown };
  stderr: ProgressStream;
}

const processOutput: CliOutput = { stdout: process.stdout, stderr: process.stderr };

/** The workspace named by --workspace (id or slug), or the only/first one. */
export async function pickWorkspace(store: Store, wanted: string | undefined): Promise<Workspace> {
  if (wanted) {
    const byId = await store.workspaces.get(wanted);
    if (byId) return byId;
    const bySlug = await store.db.selectFrom('workspaces').select('id').where('slug', '=', wanted).executeTakeFirst();
    if (bySlug) return store.workspaces.require(bySlug.id);
    throw new LifelineError('no_workspace', 400, `No workspace has the id or slug "${wanted}" in this database.`);
  }
  const first = await store.workspaces.first();
  if (!first) throw new LifelineError('no_workspace', 400, 'There is no workspace yet: run `lifeline admin create --email E --password P` first.');
  return first;
}

function readFile(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new LifelineError('unreadable_file', 400, `Cannot read ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}.`);
  }
}

export async function importContactsCommand(
  config: Config,
  file: string,
  options: { map?: string[]; dryRun?: boolean; preview?: string; workspace?: string; format?: string },
  output: CliOutput = processOutput,
): Promise<ContactImportResult> {
  let mapping: Record<string, string>;
  try {
    mapping = parseMappingPairs(options.map ?? []);
  } catch (error) {
    if (error instanceof MappingError) throw new LifelineError('invalid_mapping', 400, error.message);
    throw error;
  }
  if (options.format !== undefined && options.format !== 'csv' && options.format !== 'vcard') {
    throw new LifelineError('invalid_format', 400, '--format must be csv or vcard.');
  }
  const previewRows = options.preview === undefined ? undefined : Number(options.preview);
  if (previewRows !== undefined && (!Number.isInteger(previewRows) || previewRows < 0 || previewRows > 1000)) {
    throw new LifelineError('invalid_preview', 400, '--preview must be a number of rows from 0 to 1000.');
  }
  const bytes = readFile(file);
  const format = (options.format as 'csv' | 'vcard' | undefined) ?? (/\.vcf$|\.vcard$/i.test(file) ? 'vcard' : undefined);
  const store = await openStore(config);
  try {
    const workspace = await pickWorkspace(store, options.workspace);
    const progress = new ProgressReporter(output.stderr, `importing ${basename(file)}`);
    const { done } = await startContactImport(store.forWorkspace(workspace.id, workspace.defaultRegion), workspace.defaultRegion, bytes, {
      format,
      mapping,
      dryRun: options.dryRun ?? false,
      previewRows,
      actor: 'cli',
      onProgress: (p) => progress.update(p.fraction, p.phase === 'checking' ? `checking rows ${p.processed}/${p.total}` : p.phase),
    });
    let result: ContactImportResult;
    try {
      result = await done;
    } finally {
      progress.done();
    }
    output.stdout.write(summary(basename(file), result));
    if (result.errorCount > 0) process.exitCode = 2;
    return result;
  } finally {
    await store.close();
  }
}

function summary(file: string, r: ContactImportResult): string {
  const lines: string[] = [];
  const rows = r.format === 'vcard' ? 'cards' : 'rows';
  lines.push(
    `${file}: ${r.total} ${rows}: ${r.created} contacts ${r.dryRun ? 'to create' : 'created'}, ${r.updated} existing ${r.dryRun ? 'to update' : 'updated'}, ` +
      `${r.merged} merged into another ${rows.slice(0, -1)} of the file, ${r.skipped} skipped (nothing new), ${r.errorCount} with errors.`,
  );
  if (r.dryRun) lines.push('Dry run: nothing was written. Run again without --dry-run to import.');
  for (const note of r.notes) lines.push(`Note: ${note}`);
  if (r.mapping) lines.push(`Columns: ${Object.entries(r.mapping).map(([column, field]) => `${column} → ${field}`).join(', ')}`);
  if (r.preview && r.preview.length > 0) {
    lines.push('Preview:');
    for (const p of r.preview) {
      const handles = p.identities.map((i) => (i.kind === 'phone' || i.kind === 'email' ? i.value : `${i.kind}:${i.value}`)).join(', ');
      const tags = p.tags.length > 0 ? ` [${p.tags.join(', ')}]` : '';
      const detail = p.action === 'error' ? (p.message ?? '') : `${p.name ?? '(no name)'} ${handles}${tags}${p.message ? ` — ${p.message}` : ''}`;
      lines.push(`  ${rows.slice(0, -1)} ${String(p.row).padEnd(5)} ${p.action.padEnd(6)} ${detail}`);
    }
  }
  if (r.errors.length > 0) {
    lines.push('Errors:');
    for (const error of r.errors) lines.push(`  ${error.message}`);
    if (r.errorCount > r.errors.length) lines.push(`  … and ${r.errorCount - r.errors.length} more.`);
  }
  return `${lines.join('\n')}\n`;
}

export async function importWorkspaceCommand(config: Config, file: string, options: { ownerPassword?: string }, output: CliOutput = processOutput): Promise<void> {
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    throw new LifelineError('unreadable_file', 400, `Cannot read ${file}: no such file.`);
  }
  if (options.ownerPassword !== undefined && options.ownerPassword.length < 8) {
    throw new LifelineError('weak_password', 400, '--owner-password must have at least 8 characters.');
  }
  const store = await openStore(config);
  try {
    const progress = new ProgressReporter(output.stderr, `importing ${basename(file)}`);
    let read = 0;
    let file_ = '';
    async function* counted(): AsyncGenerator<Uint8Array> {
      for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
        read += chunk.length;
        yield chunk;
        progress.update(size > 0 ? read / size : 1, file_);
      }
    }
    let report;
    try {
      report = await importWorkspace(store, counted(), { ownerPassword: options.ownerPassword, onRecords: (name) => (file_ = name) });
    } finally {
      progress.done();
    }
    const counts = Object.entries(report.counts).map(([name, n]) => `${name} ${n}`).join(', ');
    const lines = [`Imported workspace "${report.workspace.name}" (${report.workspace.id}) into ${config.databaseUrl.replace(/\/\/[^@]*@/, '//…@')}: ${counts}.`];
    for (const [name, n] of Object.entries(report.dropped)) lines.push(`Left out ${n} ${name} whose contact, conversation or message is not in the export (made while the export ran).`);
    if (report.skippedFiles.length > 0) lines.push(`Not restored (this Lifeline has no such tables): ${report.skippedFiles.join(', ')}.`);
    lines.push('Channels were imported paused and without credentials: enter their credentials in Settings → Channels and resume them.');
    lines.push(
      report.ownerWithPassword
        ? `The owner ${report.ownerWithPassword} can sign in with the password given; other users sign in once an owner or admin sets their password.`
        : 'Users have no passwords yet: import again into a fresh data dir with --owner-password, or add an owner with `lifeline admin create --role owner`.',
    );
    output.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await store.close();
  }
}
