// Hot statements compiled once. Kysely builds and compiles a query on every call, which on SQLite costs more than
// running it; the inbound path runs the same few statements thousands of times a second. A prepared query is built
// once with placeholders, and each run only swaps in the values (SQLite then reuses its prepared statement, which
// database.ts caches by SQL text).
import type { Compilable, CompiledQuery, DatabaseConnection, Kysely, QueryResult, Transaction } from 'kysely';
import type { Database } from './schema.js';

/** Placeholders are strings no real value can equal (a NUL byte never reaches a text column). */
const PLACEHOLDER = '\u0000lifeline.param:';

/** Where a prepared query runs: the database, a transaction, or the connection under a transaction (connectionOf). */
export interface QueryTarget {
  executeQuery(query: CompiledQuery<unknown>): Promise<QueryResult<unknown>>;
}

/**
 * The connection a transaction runs on. Running prepared queries on it directly skips Kysely's executor (a chain of
 * promises per statement); valid only while `trx` is open, and only for one statement at a time, as in a
 * transaction anyway.
 */
export function connectionOf(trx: Transaction<Database>): Promise<DatabaseConnection> {
  return trx.getExecutor().provideConnection(async (connection) => connection);
}

export class PreparedQuery<Values extends object, Row> {
  private readonly slots: readonly (keyof Values | null)[];

  private constructor(private readonly compiled: CompiledQuery<Row>) {
    // For each parameter of the compiled SQL: which named value goes there, or null for a constant of the query.
    this.slots = compiled.parameters.map((p) =>
      typeof p === 'string' && p.startsWith(PLACEHOLDER) ? (p.slice(PLACEHOLDER.length) as keyof Values) : null,
    );
  }

  /**
   * `build` receives one placeholder per name, typed as the value it stands for: use them wherever a value goes.
   * The db only compiles (its dialect decides the SQL); runs may use it, any transaction of it or its connection.
   */
  static of<Values extends object, Row>(
    db: Kysely<Database>,
    names: readonly (keyof Values & string)[],
    build: (db: Kysely<Database>, values: Values) => Compilable<Row>,
  ): PreparedQuery<Values, Row> {
    const placeholders = Object.fromEntries(names.map((name) => [name, `${PLACEHOLDER}${name}`])) as unknown as Values;
    const prepared = new PreparedQuery<Values, Row>(build(db, placeholders).compile());
    const missing = names.filter((name) => !prepared.slots.includes(name));
    if (missing.length > 0) throw new Error(`prepared query does not use ${missing.join(', ')}: ${prepared.compiled.sql}`);
    return prepared;
  }

  /**
   * Like `of`, for statements with many values (multi-row inserts): placeholders and values are arrays, the values
   * in the order the placeholders were given out.
   */
  static positional<Row>(db: Kysely<Database>, count: number, build: (db: Kysely<Database>, values: readonly unknown[]) => Compilable<Row>): PreparedQuery<readonly unknown[], Row> {
    const placeholders = Array.from({ length: count }, (_, i) => `${PLACEHOLDER}${i}`);
    const prepared = new PreparedQuery<readonly unknown[], Row>(build(db, placeholders).compile());
    if (prepared.slots.filter((slot) => slot !== null).length !== count) throw new Error(`prepared query does not use all ${count} values: ${prepared.compiled.sql}`);
    return prepared;
  }

  run(target: QueryTarget, values: Values): Promise<QueryResult<Row>> {
    const parameters = this.slots.map((slot, i) => (slot === null ? this.compiled.parameters[i] : values[slot]));
    return target.executeQuery({ ...this.compiled, parameters }) as Promise<QueryResult<Row>>;
  }

  /** Rows changed by an insert, update or delete (RETURNING queries count their rows instead). */
  async changes(target: QueryTarget, values: Values): Promise<number> {
    const result = await this.run(target, values);
    return result.numAffectedRows === undefined ? result.rows.length : Number(result.numAffectedRows);
  }
}
