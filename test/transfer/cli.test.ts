// `lifeline import` and `lifeline export` as a shop owner runs them: real child processes on SQLite data dirs. The
// contact import shows progress on stderr (a line per 10 % when stderr is not a terminal) and a summary on stdout;
// export → import into a fresh data dir → export again gives the same files (except exportedAt and channel state).
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { unzipSync } from 'fflate';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { run } from '../../src/cli/main.js';

const exec = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');
const ENTRY = `const { run } = await import(${JSON.stringify(join(ROOT, 'src/cli/main.ts'))}); await run(['node', 'lifeline', ...process.argv.slice(1)]);`;

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI from the sources (no build needed) as a separate process: stderr is a pipe, not a terminal. */
async function child(args: string[]): Promise<Ran> {
  try {
    const { stdout, stderr } = await exec(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', ENTRY, ...args], { cwd: ROOT, env: { ...process.env, LIFELINE_LOG_LEVEL: 'silent' } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** The same CLI in this process (a child per command would cost seconds each), its output captured. */
async function lifeline(args: string[]): Promise<Ran> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  const before = process.exitCode;
  process.exitCode = undefined;
  try {
    await run(['node', 'lifeline', ...args]);
    return { code: Number(process.exitCode ?? 0), stdout, stderr };
  } finally {
    process.exitCode = before;
    out.mockRestore();
    err.mockRestore();
  }
}

const CSV = [
  'Nombre;Teléfono;Correo;Etiquetas',
  'José Peña;987 654 321;jose@example.pe;vip',
  'Teléfono Malo;12ab;;',
  'José Peña;987654321;;mayorista',
  'Rosa;912345678;rosa@example.pe;',
  '',
].join('\r\n');

function files(zip: string): Record<string, string> {
  const entries = unzipSync(new Uint8Array(readFileSync(zip)));
  const out = Object.fromEntries(Object.entries(entries).map(([name, bytes]) => [name, new TextDecoder().decode(bytes)]));
  const manifest = JSON.parse(out['manifest.json']!);
  delete manifest.exportedAt;
  out['manifest.json'] = JSON.stringify(manifest);
  return out;
}

describe('lifeline import / export', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lifeline-transfer-cli-'));
  const shop = join(dir, 'shop');
  const fresh = join(dir, 'fresh');
  const csv = join(dir, 'clientes.csv');
  writeFileSync(csv, Buffer.from(CSV, 'latin1'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('imports a CSV with progress on stderr and a summary on stdout; exit 2 when rows had errors', async () => {
    expect((await lifeline(['admin', 'create', '--email', 'owner@shop.example', '--password', 'sup3rsecret', '--workspace', 'Bodega Rosa', '--region', 'PE', '--data', shop])).code).toBe(0);

    const dry = await child(['import', 'contacts', csv, '--dry-run', '--data', shop]);
    expect(dry.code).toBe(2);
    const lines = dry.stderr.trim().split('\n');
    expect(lines[0]).toMatch(/^importing clientes\.csv: 0%/);
    expect(lines.at(-1)).toMatch(/^importing clientes\.csv: 100%/);
    expect(lines.filter((l) => /: \d+%/.test(l))).toHaveLength(11);
    expect(dry.stdout).toContain('clientes.csv: 4 rows: 2 contacts to create, 0 existing to update, 1 merged into another row of the file, 0 skipped (nothing new), 1 with errors.');
    expect(dry.stdout).toContain('Dry run: nothing was written.');
    expect(dry.stdout).toContain('Note: The file is not valid UTF-8, so it was read as Windows-1252');
    expect(dry.stdout).toMatch(/row 2 +create +José Peña \+51987654321, jose@example\.pe \[vip\]/);
    expect(dry.stdout).toContain("  row 3: phone '12ab' is not a phone number for PE");

    const real = await lifeline(['import', 'contacts', csv, '--data', shop]);
    expect(real.code).toBe(2);
    expect(real.stdout).toContain('2 contacts created');

    const mapped = join(dir, 'mapped.csv');
    writeFileSync(mapped, 'Cliente,Cel\nLuz,987000111\n');
    const ok = await lifeline(['import', 'contacts', mapped, '--map', 'Cel=whatsapp', '--data', shop]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('Columns: Cliente → name, Cel → whatsapp');

    const bad = await lifeline(['import', 'contacts', mapped, '--map', 'Cel', '--data', shop]);
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim()).toMatch(/^lifeline: "Cel" is not a column=field pair/);
    expect((await lifeline(['import', 'contacts', join(dir, 'missing.csv'), '--data', shop])).stderr).toMatch(/Cannot read .*missing\.csv: no such file/);
  }, 120_000);

  it('exports, imports into a fresh data dir, and exports the same files again', async () => {
    const first = join(dir, 'first.zip');
    const exported = await lifeline(['export', '--out', first, '--data', shop]);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout).toMatch(/^Exported workspace "Bodega Rosa" to .*first\.zip: users 1, channels 0, contacts 3, identities 5/);
    expect(exported.stderr.trim().split('\n').at(-1)).toMatch(/100%/);
    expect((await lifeline(['export', '--out', first, '--data', shop])).stderr).toMatch(/already exists/);

    const restored = await lifeline(['import', 'workspace', first, '--data-dir', fresh, '--owner-password', 'another secret']);
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.stdout).toMatch(/Imported workspace "Bodega Rosa" \(\S+\) into .*lifeline\.db: users 1, channels 0, contacts 3, identities 5/);
    expect(restored.stdout).toContain('The owner owner@shop.example can sign in with the password given');

    const second = join(dir, 'second.zip');
    expect((await lifeline(['export', '--out', second, '--data', fresh])).code).toBe(0);
    expect(files(second)).toEqual(files(first));

    const twice = await lifeline(['import', 'workspace', first, '--data-dir', fresh]);
    expect(twice.code).toBe(1);
    expect(twice.stderr.trim()).toMatch(/^lifeline: This database already has the workspace \S+ \("Bodega Rosa"\)\. Import into a fresh data dir/);
  }, 120_000);
});
