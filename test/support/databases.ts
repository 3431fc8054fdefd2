// Test databases: a fresh SQLite file, and a fresh PostgreSQL database when LIFELINE_TEST_DATABASE_URL names a
// server (CI always does). Each test file gets its own database, so files run in parallel without sharing rows.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { Store } from '../../src/store/store.js';

export type DatabaseKind = 'sqlite' | 'postgres';

export const POSTGRES_ADMIN_URL = process.env.LIFELINE_TEST_DATABASE_URL;

if (!POSTGRES_ADMIN_URL && !process.env.LIFELINE_PG_NOTICE_SHOWN) {
  process.env.LIFELINE_PG_NOTICE_SHOWN = '1';
  console.warn('NOTICE: LIFELINE_TEST_DATABASE_URL is not set: PostgreSQL store tests are SKIPPED (CI sets it).');
}

/** Both kinds, each with `skip` set when it cannot run here, so a skipped database shows as skipped. */
export const DATABASES: { kind: DatabaseKind; skip: boolean }[] = [
  { kind: 'sqlite', skip: false },
  { kind: 'postgres', skip: !POSTGRES_ADMIN_URL },
];

export interface TestDatabase {
  kind: DatabaseKind;
  url: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(kind: DatabaseKind): Promise<TestDatabase> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'lifeline-test-'));
    return { kind, url: join(dir, 'test.db'), drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  if (!POSTGRES_ADMIN_URL) throw new Error('LIFELINE_TEST_DATABASE_URL is not set');
  const name = `lifeline_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    kind,
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

/** An open, migrated store on a fresh database; `close` also drops the database. */
export async function openTestStore(kind: DatabaseKind): Promise<{ store: Store; url: string; close(): Promise<void> }> {
  const database = await createTestDatabase(kind);
  const store = await Store.open(database.url);
  return {
    store,
    url: database.url,
    close: async () => {
      await store.close();
      await database.drop();
    },
  };
}
