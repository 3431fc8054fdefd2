// The continuity drill as a benchmark: the same scenario as `lifeline drill` (src/drill/scenario.ts), run against
// the built CLI (npm run build first). Flags: --contacts N (10000), --conversations N (500), --timeout-sec S (180).
// Progress on stderr; one JSON line last with detectSeconds, notifySeconds, toldShare, callListSize, lost, duplicates.
import { parseArgs } from 'node:util';
import { runDrill } from '../src/drill/scenario.js';
import { BIN } from './support/processes.js';

const { values } = parseArgs({
  options: { contacts: { type: 'string', default: '10000' }, conversations: { type: 'string', default: '500' }, 'timeout-sec': { type: 'string', default: '180' } },
});
const result = await runDrill({
  bin: BIN,
  contacts: Number(values.contacts),
  conversations: Number(values.conversations),
  timeoutSeconds: Number(values['timeout-sec']),
  log: (line) => process.stderr.write(`${line}\n`),
});
process.stdout.write(`${JSON.stringify(result)}\n`);
