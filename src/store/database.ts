// Opens the database named by a URL: a SQLite file by default, PostgreSQL for postgres:// URLs.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, type RawBuilder, SqliteAdapter, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';
import { type BackgroundCheckpoints, FALLBACK_AUTOCHECKPOINT_PAGES, startBackgroundCheckpoints } from './sqlite-checkpoints.js';

export type Dialect = 'sqlite' | 'postgres';

export interface OpenedDatabase {
  db: Kysely<Database>;
  dialect: Dialect;
}

// PostgreSQL returns BIGINT as strings; our bigints are epoch milliseconds and counts, well inside 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

export function isPostgresUrl(url: string): boolean {
  return url.startsWith('postgres://') || url.startsWith('postgresql://');
}

export function openDatabase(url: string, options: { poolSize?: number } = {}): OpenedDatabase {
  if (isPostgresUrl(url)) {
    const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10 });
    // An idle client that loses its connection emits 'error'; without a listener that would crash the process.
    pool.on('error', () => {});
    return { db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), dialect: 'postgres' };
  }
  const file = url.startsWith('sqlite:') ? url.slice('sqlite:'.length) : url;
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const sqlite = new SqliteDatabase(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  let checkpoints: BackgroundCheckpoints | null = null;
  if (file !== ':memory:') {
    sqlite.pragma(`wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT_PAGES}`);
    checkpoints = startBackgroundCheckpoints(file);
  }
  const close = () => {
    checkpoints?.stop();
    sqlite.close();
  };
  return { db: new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite, close) }) }), dialect: 'sqlite' };
}

/**
 * Kysely prepares every statement anew, which costs about as much as running it; the same few hundred SQL texts
 * repeat forever, so prepared statements are kept (bounded, least recently used dropped first).
 */
function withStatementCache(sqlite: SqliteDatabase.Database, close: () => void, limit = 500) {
  const cache = new Map<string, SqliteDatabase.Statement>();
  return {
    close,
    prepare(sql: string) {
      let statement = cache.get(sql);
      if (statement) {
        cache.delete(sql);
      } else {
        statement = sqlite.prepare(sql);
        if (cache.size >= limit) cache.delete(cache.keys().next().value!);
      }
      cache.set(sql, statement);
      return statement;
    },
  };
}

/**
 * Splits a list into chunks whose sizes are powers of two, largest first (at most `max`): a multi-row statement
 * then has one SQL text per size, prepared once and reused from the statement cache whatever the batch size.
 */
export function powerOfTwoChunks<T>(items: readonly T[], max = 128): T[][] {
  const chunks: T[][] = [];
  let at = 0;
  let size = 1;
  while (size * 2 <= max) size *= 2;
  while (at < items.length) {
    while (size > items.length - at) size /= 2;
    chunks.push(items.slice(at, at + size));
    at += size;
  }
  return chunks;
}

/** The dialect behind a Kysely instance or transaction. */
export function dialectOf(db: Kysely<Database>): Dialect {
  return db.getExecutor().adapter instanceof SqliteAdapter ? 'sqlite' : 'postgres';
}

/**
 * A workspace column for lookups by primary key (`id IN (…)` and the workspace), written so that SQLite does not
 * pick it for an index. Without statistics SQLite's planner takes `workspace_id = ?` on an index's first column
 * for about ten rows, and then walks every row of the workspace instead of looking the keys up. SQLite's unary
 * `+` keeps a term out of index selection; PostgreSQL plans from statistics and gets the plain column.
 */
export function scopeColumn(dialect: Dialect, column = 'workspace_id'): RawBuilder<string> {
  return dialect === 'sqlite' ? sql<string>`+${sql.ref(column)}` : sql<string>`${sql.ref(column)}`;
}
