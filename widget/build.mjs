// Builds the webchat widget into one minified file, dist/widget/widget.js, served at /widget/v1/widget.js.
// Fails when the gzipped bundle passes the budget: it loads on every page of the businesses' websites.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outfile = join(root, 'dist', 'widget', 'widget.js');
const BUDGET_GZIP_BYTES = 30 * 1024;

mkdirSync(dirname(outfile), { recursive: true });
const result = await build({
  entryPoints: [join(root, 'widget', 'src', 'main.ts')],
  outfile,
  bundle: true,
  minify: true,
  format: 'iife',
  // Browsers of the last few years, phones included; nothing newer is needed.
  target: ['es2020', 'chrome87', 'firefox78', 'safari15'],
  legalComments: 'none',
  logLevel: 'warning',
  write: false,
});

const [bundle] = result.outputFiles;
const size = gzipSync(bundle.contents).length;
if (size > BUDGET_GZIP_BYTES) {
  console.error(`widget: ${outfile} is ${size} bytes gzipped, over the ${BUDGET_GZIP_BYTES}-byte budget.`);
  process.exit(1);
}
// Written whole then renamed: a server (or a parallel test run) never reads half a file.
const partial = `${outfile}.${process.pid}.tmp`;
writeFileSync(partial, bundle.contents);
renameSync(partial, outfile);
if (!process.env.LIFELINE_QUIET_BUILD) console.log(`widget: built ${outfile} (${size} bytes gzipped)`);
