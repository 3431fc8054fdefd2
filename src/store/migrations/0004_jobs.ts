// The embedded job queue (src/queue/embedded.ts): durable jobs in the same database as the messages they send, so a
// message and its job commit in one transaction.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('jobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('queue', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('run_at', 'bigint', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('max_attempts', 'integer', (c) => c.notNull())
    .addColumn('lease_owner', 'text')
    .addColumn('lease_until', 'bigint')
    .addColumn('dedupe_key', 'text')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    // NULL keys are distinct on both databases, so only jobs that carry a key are deduplicated.
    .addUniqueConstraint('jobs_dedupe', ['queue', 'dedupe_key'])
    .execute();
  // Serves the claim (queued by run_at, running ones to check for expired leases) and the per-status counts.
  await db.schema.createIndex('jobs_claim').on('jobs').columns(['queue', 'status', 'run_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('jobs').ifExists().execute();
}
