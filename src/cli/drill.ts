// `lifeline drill`: the continuity drill (src/drill/scenario.ts) against this installation's own CLI, in a fresh
// data directory. Progress on stderr; the result as one JSON line last on stdout.
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { runDrill } from '../drill/scenario.js';

/** bin/lifeline.js of this package (dist/cli/drill.js → ../../bin/lifeline.js). */
const OWN_BIN = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', 'bin', 'lifeline.js');

export async function drill(options: { contacts: number; conversations: number; timeoutSeconds: number }): Promise<void> {
  const result = await runDrill({ bin: OWN_BIN, ...options, log: (line) => process.stderr.write(`${line}\n`) });
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
