// The embedded queue driver: jobs in the application's own database (SQLite or PostgreSQL), so a message and the job
// that sends it commit in one transaction, and a single process needs nothing else running.
import { type Kysely, sql } from 'kysely';
import { type Dialect, powerOfTwoChunks } from '../store/database.js';
import { newId } from '../store/ids.js';
import type { Database, JobTable } from '../store/schema.js';
import type { ClaimOptions, EnqueueResult, Job, JobQueue, JobStatus, NewJob, QueueStats } from './types.js';

export const DEFAULT_MAX_ATTEMPTS = 5;

export interface EmbeddedJobQueueOptions {
  /** The clock for enqueue times, lease extensions and defaults; tests pass their own. */
  now?: () => number;
}

export class EmbeddedJobQueue implements JobQueue {
  private readonly db: Kysely<Database>;
  private readonly dialect: Dialect;
  private readonly now: () => number;

  /** `source` is usually the Store: anything with its Kysely instance and dialect. */
  constructor(source: { db: Kysely<Database>; dialect: Dialect }, options: EmbeddedJobQueueOptions = {}) {
    this.db = source.db;
    this.dialect = source.dialect;
    this.now = options.now ?? Date.now;
  }

  async enqueue(job: NewJob, trx?: Kysely<Database>): Promise<EnqueueResult> {
    const db = trx ?? this.db;
    const row = this.rowOf(job, this.now());
    if (row.dedupe_key === null) {
      await db.insertInto('jobs').values(row).execute();
      return { id: row.id, created: true };
    }
    // On PostgreSQL a concurrent insert of the same key waits here for the other transaction, then sees its row.
    const inserted = await db
      .insertInto('jobs')
      .values(row)
      .onConflict((oc) => oc.columns(['queue', 'dedupe_key']).doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) > 0) return { id: row.id, created: true };
    const existing = await db
      .selectFrom('jobs')
      .select('id')
      .where('queue', '=', row.queue)
      .where('dedupe_key', '=', row.dedupe_key)
      .executeTakeFirstOrThrow();
    return { id: existing.id, created: false };
  }

  async enqueueMany(jobs: readonly NewJob[], trx?: Kysely<Database>): Promise<void> {
    const db = trx ?? this.db;
    const now = this.now();
    const rows = jobs.map((job) => this.rowOf(job, now));
    // 13 columns a row: 64 rows stay far below either database's limit on parameters.
    for (const chunk of powerOfTwoChunks(rows, 64)) {
      await db
        .insertInto('jobs')
        .values(chunk)
        .onConflict((oc) => oc.columns(['queue', 'dedupe_key']).doNothing())
        .execute();
    }
  }

  private rowOf(job: NewJob, now: number): JobTable {
    const payload = JSON.stringify(job.payload);
    if (payload === undefined) throw new TypeError(`A job's payload must be a JSON value; queue ${job.queue} was given ${typeof job.payload}.`);
    const maxAttempts = job.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new TypeError(`maxAttempts must be a whole number of at least 1, not ${maxAttempts}.`);
    return {
      id: newId(),
      queue: job.queue,
      payload,
      status: 'queued',
      run_at: job.runAt ?? now,
      attempts: 0,
      max_attempts: maxAttempts,
      lease_owner: null,
      lease_until: null,
      dedupe_key: job.dedupeKey ?? null,
      last_error: null,
      created_at: now,
      updated_at: now,
    };
  }

  async claim(queue: string, workerId: string, options: ClaimOptions): Promise<Job[]> {
    const now = options.now ?? this.now();
    const limit = Math.max(0, Math.floor(options.limit));
    if (limit === 0) return [];
    const leaseUntil = now + options.leaseMs;
    // Expired leases are taken first (those jobs waited longest), then due queued jobs in run_at order. Each half is
    // an ordered range of the (queue, status, run_at) index, so a claim stays cheap however long the backlog is.
    // On a reclaim, last_error records whose lease ran out, so a job's history explains the extra attempt.
    const set = sql`status = 'running', lease_owner = ${workerId}, lease_until = ${leaseUntil}, attempts = attempts + 1,
      updated_at = ${now},
      last_error = case when status = 'running' then 'lease of ' || lease_owner || ' expired' else last_error end`;
    const query =
      this.dialect === 'postgres'
        ? // Rows another claim has locked are skipped, not waited for; a row another claim changed after this
          // statement's snapshot is re-checked against the WHERE clause once locked, so it is never taken twice.
          sql<JobTable>`
            with expired as (
              select id from jobs
              where queue = ${queue} and status = 'running' and lease_until <= ${now}
              order by lease_until limit ${limit}
              for update skip locked
            ), ready as (
              select id from jobs
              where queue = ${queue} and status = 'queued' and run_at <= ${now}
              order by run_at limit greatest(${limit} - (select count(*) from expired), 0)
              for update skip locked
            )
            update jobs set ${set}
            where id in (select id from expired union all select id from ready)
            returning *`
        : // SQLite has one writer at a time and an UPDATE takes the write lock before it reads, so the select and
          // the update see the same rows and no other connection can claim in between.
          sql<JobTable>`
            update jobs set ${set}
            where id in (
              select id from (
                select id from jobs
                where queue = ${queue} and status = 'running' and lease_until <= ${now}
                order by lease_until limit ${limit}
              )
              union all
              select id from (
                select id from jobs
                where queue = ${queue} and status = 'queued' and run_at <= ${now}
                order by run_at limit ${limit}
              )
              limit ${limit}
            )
            returning *`;
    const { rows } = await query.execute(this.db);
    return rows.map(toJob).sort((a, b) => a.runAt - b.runAt || (a.id < b.id ? -1 : 1));
  }

  async complete(id: string, workerId: string): Promise<boolean> {
    return this.settle(id, workerId, { status: 'done', lease_owner: null, lease_until: null });
  }

  async completeMany(ids: readonly string[], workerId: string): Promise<Set<string>> {
    return this.settleMany(ids, workerId, { status: 'done', lease_owner: null, lease_until: null });
  }

  async extendLeases(ids: readonly string[], workerId: string, leaseMs: number): Promise<Set<string>> {
    return this.settleMany(ids, workerId, { lease_until: this.now() + leaseMs });
  }

  async rescheduleMany(items: readonly { id: string; runAt: number }[], workerId: string): Promise<Set<string>> {
    const moved = new Set<string>();
    const now = this.now();
    for (const chunk of powerOfTwoChunks(items, 64)) {
      // One statement for jobs with different run times: the new times come in as a VALUES list joined on the id.
      const values = sql.join(chunk.map((item) => sql`(${item.id}, ${item.runAt})`));
      const { rows } = await sql<{ id: string }>`
        update jobs set status = 'queued', run_at = cast(v.column2 as bigint), attempts = attempts - 1,
          lease_owner = null, lease_until = null, updated_at = ${now}
        from (values ${values}) as v
        where jobs.id = v.column1 and jobs.status = 'running' and jobs.lease_owner = ${workerId}
        returning jobs.id`.execute(this.db);
      for (const row of rows) moved.add(row.id);
    }
    return moved;
  }

  async retry(id: string, workerId: string, options: { runAt: number; error: string }): Promise<boolean> {
    return this.settle(id, workerId, { status: 'queued', run_at: options.runAt, last_error: options.error, lease_owner: null, lease_until: null });
  }

  async deadLetter(id: string, workerId: string, reason: string): Promise<boolean> {
    return this.settle(id, workerId, { status: 'dead', last_error: reason, lease_owner: null, lease_until: null });
  }

  async extendLease(id: string, workerId: string, leaseMs: number): Promise<boolean> {
    return this.settle(id, workerId, { lease_until: this.now() + leaseMs });
  }

  async reschedule(id: string, runAt: number, workerId?: string): Promise<boolean> {
    if (workerId !== undefined) {
      // A delay is not a failure: the attempt this claim counted is given back.
      const result = await this.db
        .updateTable('jobs')
        .set((eb) => ({ status: 'queued', run_at: runAt, attempts: eb('attempts', '-', 1), lease_owner: null, lease_until: null, updated_at: this.now() }))
        .where('id', '=', id)
        .where('status', '=', 'running')
        .where('lease_owner', '=', workerId)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    }
    const result = await this.db
      .updateTable('jobs')
      .set({ run_at: runAt, updated_at: this.now() })
      .where('id', '=', id)
      .where('status', '=', 'queued')
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async get(id: string): Promise<Job | null> {
    const row = await this.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toJob(row) : null;
  }

  async stats(queue: string, now: number = this.now()): Promise<QueueStats> {
    const rows = await this.db
      .selectFrom('jobs')
      .select((eb) => [
        'status',
        eb.fn.countAll<number | string>().as('count'),
        sql<number | string | null>`sum(case when run_at > ${now} then 1 else 0 end)`.as('future'),
      ])
      .where('queue', '=', queue)
      .groupBy('status')
      .execute();
    const stats: QueueStats = { queued: 0, running: 0, done: 0, dead: 0, scheduled: 0 };
    for (const row of rows) {
      const count = Number(row.count);
      if (row.status === 'queued') {
        stats.scheduled = Number(row.future ?? 0);
        stats.queued = count - stats.scheduled;
      } else if (row.status === 'running' || row.status === 'done' || row.status === 'dead') {
        stats[row.status] = count;
      }
    }
    return stats;
  }

  /** `settle` for many jobs: returns the ids that were changed. */
  private async settleMany(ids: readonly string[], workerId: string, changes: Partial<JobTable>): Promise<Set<string>> {
    const settled = new Set<string>();
    for (const chunk of powerOfTwoChunks(ids, 128)) {
      const rows = await this.db
        .updateTable('jobs')
        .set({ ...changes, updated_at: this.now() })
        .where('id', 'in', chunk)
        .where('status', '=', 'running')
        .where('lease_owner', '=', workerId)
        .returning('id')
        .execute();
      for (const row of rows) settled.add(row.id);
    }
    return settled;
  }

  /** Changes a running job only while `workerId` holds its lease. */
  private async settle(id: string, workerId: string, changes: Partial<JobTable>): Promise<boolean> {
    const result = await this.db
      .updateTable('jobs')
      .set({ ...changes, updated_at: this.now() })
      .where('id', '=', id)
      .where('status', '=', 'running')
      .where('lease_owner', '=', workerId)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }
}

function toJob(row: JobTable): Job {
  return {
    id: row.id,
    queue: row.queue,
    payload: JSON.parse(row.payload) as unknown,
    status: row.status as JobStatus,
    runAt: Number(row.run_at),
    attempts: Number(row.attempts),
    maxAttempts: Number(row.max_attempts),
    leaseOwner: row.lease_owner,
    leaseUntil: row.lease_until === null ? null : Number(row.lease_until),
    dedupeKey: row.dedupe_key,
    lastError: row.last_error,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}
