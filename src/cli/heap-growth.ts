// How far V8 lets the heap grow past what is live before collecting it again. By default it grows to two or three
// times the live data under a steady load, so a server with about 60 MB live sat at 350 MB of memory while sending
// (bench/outbound.ts). Growing by a quarter keeps it near 215 MB, for about a tenth more CPU per message: the
// better side of the trade for a small business's machine. LIFELINE_HEAP_GROWTH_PERCENT changes it (0: V8's own);
// a --heap-growing-percent given to node itself wins.
import v8 from 'node:v8';

export const DEFAULT_HEAP_GROWTH_PERCENT = 25;

const FLAG = 'heap-growing-percent';

/** The percentage to set, or null to leave V8 as it is. Throws on a value that is not a whole number from 0 to 400. */
export function heapGrowthPercent(env: NodeJS.ProcessEnv, execArgv: readonly string[]): number | null {
  const given = `${execArgv.join(' ')} ${env.NODE_OPTIONS ?? ''}`;
  if (given.includes(FLAG) || given.includes(FLAG.replaceAll('-', '_'))) return null;
  const raw = env.LIFELINE_HEAP_GROWTH_PERCENT?.trim();
  if (raw === undefined || raw === '') return DEFAULT_HEAP_GROWTH_PERCENT;
  const percent = Number(raw);
  if (!Number.isInteger(percent) || percent < 0 || percent > 400) {
    throw new Error(`LIFELINE_HEAP_GROWTH_PERCENT must be a whole number from 0 (V8's default) to 400, not "${raw}".`);
  }
  return percent === 0 ? null : percent;
}

/** Applies heapGrowthPercent to this process; V8 reads the flag whenever it sizes the heap after a collection. */
export function boundHeapGrowth(env: NodeJS.ProcessEnv = process.env, execArgv: readonly string[] = process.execArgv): void {
  const percent = heapGrowthPercent(env, execArgv);
  if (percent !== null) v8.setFlagsFromString(`--${FLAG}=${percent}`);
}
