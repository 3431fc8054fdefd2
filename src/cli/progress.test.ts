import { describe, expect, it } from 'vitest';
import { ProgressReporter } from './progress.js';

function sink(isTTY: boolean) {
  const written: string[] = [];
  return { stream: { isTTY, write: (text: string) => written.push(text) }, written };
}

describe('ProgressReporter', () => {
  it('prints one line per 10 % when stderr is not a terminal, even when progress jumps', () => {
    const { stream, written } = sink(false);
    const progress = new ProgressReporter(stream, 'importing contacts.csv');
    for (const f of [0, 0.01, 0.05, 0.1, 0.15, 0.34, 0.35, 1]) progress.update(f, `at ${f}`);
    progress.done();
    expect(written).toEqual([
      'importing contacts.csv: 0% (at 0)\n',
      'importing contacts.csv: 10% (at 0.1)\n',
      'importing contacts.csv: 20%\n',
      'importing contacts.csv: 30% (at 0.34)\n',
      'importing contacts.csv: 40%\n',
      'importing contacts.csv: 50%\n',
      'importing contacts.csv: 60%\n',
      'importing contacts.csv: 70%\n',
      'importing contacts.csv: 80%\n',
      'importing contacts.csv: 90%\n',
      'importing contacts.csv: 100% (at 1)\n',
    ]);
  });

  it('redraws a bar in place on a terminal, only when the percentage changes, and ends its line', () => {
    const { stream, written } = sink(true);
    const progress = new ProgressReporter(stream, 'export');
    progress.update(0.5, 'messages');
    progress.update(0.501, 'messages');
    progress.update(1);
    progress.done();
    expect(written).toHaveLength(3);
    expect(written[0]).toBe(`\r\x1b[2Kexport [${'#'.repeat(15)}${'.'.repeat(15)}]  50% messages`);
    expect(written[1]).toContain('100%');
    expect(written[2]).toBe('\n');
  });
});
