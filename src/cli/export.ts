// `lifeline export [--out FILE]`: the whole workspace as a ZIP of JSON Lines (the same file as GET
// /api/v1/exports/workspace), written as it is read, with progress on stderr and a summary on stdout.
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import type { Config } from '../config.js';
import { LifelineError } from '../errors.js';
import { exportWorkspace } from '../transfer/export-workspace.js';
import { ZipWriter } from '../transfer/zip-stream.js';
import { type CliOutput, pickWorkspace } from './import.js';
import { openStore } from './open-store.js';
import { ProgressReporter } from './progress.js';

export async function exportCommand(
  config: Config,
  options: { out?: string; workspace?: string },
  output: CliOutput = { stdout: process.stdout, stderr: process.stderr },
): Promise<string> {
  const store = await openStore(config);
  try {
    const workspace = await pickWorkspace(store, options.workspace);
    const file = options.out ?? `lifeline-${workspace.slug}-${new Date().toISOString().slice(0, 10)}.zip`;
    const data = store.forWorkspace(workspace.id, workspace.defaultRegion);
    const zip = new ZipWriter();
    const progress = new ProgressReporter(output.stderr, `exporting to ${file}`);
    let sink;
    try {
      sink = createWriteStream(file, { flags: 'wx' });
      await new Promise<void>((resolve, reject) => sink!.once('open', () => resolve()).once('error', reject));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new LifelineError('unwritable_file', 400, code === 'EEXIST' ? `${file} already exists: choose another --out, or remove it first.` : `Cannot write ${file}: ${(error as Error).message}.`);
    }
    const written = pipeline(zip.output, sink);
    try {
      const manifest = await exportWorkspace(data, zip, {
        onProgress: (p) => progress.update(p.expected > 0 ? p.written / p.expected : 1, p.file),
      });
      await written;
      progress.update(1);
      progress.done();
      await data.audit.record('cli', 'workspace.exported', { type: 'workspace', id: workspace.id }, { file });
      const counts = Object.entries(manifest.files)
        .filter(([name]) => name !== 'attachments')
        .map(([name, f]) => `${name} ${f.records}`)
        .join(', ');
      output.stdout.write(`Exported workspace "${workspace.name}" to ${file}: ${counts}.\n`);
      return file;
    } catch (error) {
      progress.done();
      zip.abort(error instanceof Error ? error : new Error(String(error)));
      await written.catch(() => {});
      await rm(file, { force: true });
      throw error;
    }
  } finally {
    await store.close();
  }
}
