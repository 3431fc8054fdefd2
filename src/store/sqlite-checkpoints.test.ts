// The checkpoint worker against a real SQLite file: the log is folded into the database file by the worker while
// the main connection only writes, and nothing is left behind once both are closed.
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openDatabase } from './database.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('background WAL checkpoints', () => {
  it('copy the log into the database file off the main thread, and leave no log once closed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lifeline-checkpoints-'));
    dirs.push(dir);
    const file = join(dir, 'db.sqlite');
    const { db } = openDatabase(file);
    await sql`create table t (id integer primary key, body text not null)`.execute(db);
    const before = statSync(file).size;
    // About 2 MB of log: far below the main connection's own checkpoint threshold, so only the worker copies it.
    for (let batch = 0; batch < 20; batch++) {
      await db.transaction().execute(async (trx) => {
        for (let i = 0; i < 100; i++) await sql`insert into t (body) values (${'x'.repeat(1000)})`.execute(trx);
      });
    }
    await vi.waitFor(() => expect(statSync(file).size, 'the database file takes in the log').toBeGreaterThan(before + 1_500_000), { timeout: 5_000, interval: 20 });
    const { rows } = await sql<{ n: number }>`select count(*) as n from t`.execute(db);
    expect(rows[0]!.n).toBe(2000);
    await db.destroy();
    // Closed means closed: no log left behind, and the folder can go at once.
    expect(existsSync(`${file}-wal`)).toBe(false);
    rmSync(dir, { recursive: true });
  });
});
