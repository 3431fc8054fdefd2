// Raw webhook bodies, stored before they are acknowledged so that nothing a provider sent is lost if processing
// fails or the process dies; processed once per distinct body, in the same transaction when it can be (they are
// then stored as processed already), afterwards otherwise.
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { powerOfTwoChunks } from './database.js';
import { newId } from './ids.js';
import { PreparedQuery, type QueryTarget } from './prepared.js';
import type { Database, InboundEventTable } from './schema.js';

export interface PendingInboundEvent {
  id: string;
  workspaceId: string;
  channelId: string;
  body: string;
  contentType: string | null;
}

export interface NewInboundEvent {
  workspaceId: string;
  channelId: string;
  body: string;
  contentType: string | null;
  /** What makes a repeat a repeat; by default a hash of the body. */
  dedupeKey?: string;
  /** Stored as processed already: the caller applies it in the same transaction. */
  processed?: boolean;
}

export const bodyDedupeKey = (body: string | Buffer): string => createHash('sha256').update(body).digest('hex');

/** Rows per INSERT: sizes are powers of two up to this, so a handful of SQL texts serve every batch. */
const MAX_ROWS_PER_INSERT = 64;

const COLUMNS = ['id', 'workspace_id', 'channel_id', 'dedupe_key', 'body', 'content_type', 'status', 'error', 'received_at', 'processed_at'] as const;

export class InboundEventStore {
  private readonly inserts = new Map<number, PreparedQuery<readonly unknown[], { id: string }>>();
  private readonly claimQuery;
  private readonly statusQuery;

  constructor(private readonly db: Kysely<Database>) {
    this.claimQuery = PreparedQuery.of<{ id: string; at: number }, unknown>(db, ['id', 'at'], (q, v) =>
      q.updateTable('inbound_events').set({ status: 'processed', error: null, processed_at: v.at }).where('id', '=', v.id).where('status', '=', 'pending'),
    );
    this.statusQuery = PreparedQuery.of<{ id: string }, { status: string }>(db, ['id'], (q, v) => q.selectFrom('inbound_events').select('status').where('id', '=', v.id));
  }

  /** Returns the new event's id, or null when the same body already arrived on this channel (a provider retry). */
  async record(input: NewInboundEvent): Promise<string | null> {
    const [id] = await this.recordMany([input]);
    return id ?? null;
  }

  /**
   * Stores many events in one transaction (one commit for a whole burst of webhooks). For each input: its new id, or
   * null when the same body already arrived on its channel, earlier or earlier in this same batch.
   */
  async recordMany(inputs: readonly NewInboundEvent[]): Promise<(string | null)[]> {
    // One row is one statement, atomic by itself; more may take several, which must commit together.
    if (inputs.length === 1) return this.recordManyIn(this.db, inputs);
    return this.db.transaction().execute((trx) => this.recordManyIn(trx, inputs));
  }

  /** recordMany within the caller's transaction. */
  async recordManyIn(target: QueryTarget, inputs: readonly NewInboundEvent[]): Promise<(string | null)[]> {
    const now = Date.now();
    const seen = new Set<string>();
    const ids: (string | null)[] = [];
    const rows: InboundEventTable[] = [];
    for (const input of inputs) {
      const dedupeKey = input.dedupeKey ?? bodyDedupeKey(input.body);
      const key = `${input.channelId}\n${dedupeKey}`;
      if (seen.has(key)) {
        ids.push(null);
        continue;
      }
      seen.add(key);
      const row = newRow(input, dedupeKey, now);
      rows.push(row);
      ids.push(row.id);
    }
    const stored = new Set<string>();
    for (const chunk of powerOfTwoChunks(rows, MAX_ROWS_PER_INSERT)) {
      const result = await this.insertQuery(chunk.length).run(target, chunkValues(chunk));
      for (const row of result.rows) stored.add(row.id);
    }
    return ids.map((id) => (id && stored.has(id) ? id : null));
  }

  /**
   * Marks a pending event processed inside the caller's transaction, so that the event and what it wrote commit
   * together. False when it was no longer pending: it has been processed already, and must not be again.
   */
  async claim(trx: QueryTarget, id: string, at: number): Promise<boolean> {
    return (await this.claimQuery.changes(trx, { id, at })) > 0;
  }

  async isPending(trx: QueryTarget, id: string): Promise<boolean> {
    const { rows } = await this.statusQuery.run(trx, { id });
    return rows[0]?.status === 'pending';
  }

  /** Those of `ids` still waiting to be applied. */
  async pendingAmong(ids: readonly string[]): Promise<Set<string>> {
    const pending = new Set<string>();
    for (const chunk of chunksOf(ids, 500)) {
      const rows = await this.db.selectFrom('inbound_events').select('id').where('id', 'in', chunk).where('status', '=', 'pending').execute();
      for (const row of rows) pending.add(row.id);
    }
    return pending;
  }

  /** finish for many events applied without an error, in one statement per 500. */
  async finishMany(ids: readonly string[]): Promise<void> {
    const at = Date.now();
    for (const chunk of chunksOf(ids, 500)) {
      await this.db.updateTable('inbound_events').set({ status: 'processed', error: null, processed_at: at }).where('id', 'in', chunk).where('status', '=', 'pending').execute();
    }
  }

  async pending(limit = 100): Promise<PendingInboundEvent[]> {
    const rows = await this.db
      .selectFrom('inbound_events')
      .select(['id', 'workspace_id', 'channel_id', 'body', 'content_type'])
      .where('status', '=', 'pending')
      .orderBy('received_at')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ id: r.id, workspaceId: r.workspace_id, channelId: r.channel_id, body: r.body, contentType: r.content_type }));
  }

  async finish(id: string, error: string | null): Promise<void> {
    await this.finishIn(this.db, id, error);
  }

  /** finish, inside the caller's transaction. */
  async finishIn(trx: Kysely<Database>, id: string, error: string | null): Promise<void> {
    await trx
      .updateTable('inbound_events')
      .set({ status: error ? 'failed' : 'processed', error, processed_at: Date.now() })
      .where('id', '=', id)
      .execute();
  }

  /** A multi-row insert of `size` rows: its values are the rows' columns, row after row. */
  private insertQuery(size: number): PreparedQuery<readonly unknown[], { id: string }> {
    let query = this.inserts.get(size);
    if (!query) {
      query = PreparedQuery.positional<{ id: string }>(this.db, size * COLUMNS.length, (q, values) =>
        q
          .insertInto('inbound_events')
          .values(Array.from({ length: size }, (_, row) => Object.fromEntries(COLUMNS.map((column, c) => [column, values[row * COLUMNS.length + c]])) as unknown as InboundEventTable))
          .onConflict((oc) => oc.doNothing())
          .returning('id'),
      );
      this.inserts.set(size, query);
    }
    return query;
  }
}

function newRow(input: NewInboundEvent, dedupeKey: string, now: number): InboundEventTable {
  return {
    id: newId(),
    workspace_id: input.workspaceId,
    channel_id: input.channelId,
    dedupe_key: dedupeKey,
    body: input.body,
    content_type: input.contentType,
    status: input.processed ? 'processed' : 'pending',
    error: null,
    received_at: now,
    processed_at: input.processed ? now : null,
  };
}

function chunkValues(rows: readonly InboundEventTable[]): unknown[] {
  const values: unknown[] = [];
  for (const row of rows) for (const column of COLUMNS) values.push(row[column]);
  return values;
}

function chunksOf<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}
