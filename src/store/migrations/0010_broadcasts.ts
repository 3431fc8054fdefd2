// Broadcasts (issue 6): one row per broadcast (what to send, to whom, where the fan-out stands) and one row per
// recipient once the fan-out reached them (the message it created, or why none was sent). Progress is counted from
// the recipients joined with their deliveries, so a recipient row holds no status of its own to keep in step.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('broadcasts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('audience', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('variants', 'text', (c) => c.notNull())
    .addColumn('exclude_channels', 'text', (c) => c.notNull())
    .addColumn('not_before', 'bigint')
    .addColumn('origin', 'text')
    .addColumn('idempotency_key', 'text')
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('job_id', 'text')
    .addColumn('planned_total', 'integer', (c) => c.notNull())
    .addColumn('cursor', 'text')
    .addColumn('expanded', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('started_at', 'bigint')
    .addColumn('paused_at', 'bigint')
    .addColumn('resumed_at', 'bigint')
    .addColumn('cancelled_at', 'bigint')
    .addColumn('completed_at', 'bigint')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    // NULL keys are distinct on both databases: only broadcasts created with a key are deduplicated.
    .addUniqueConstraint('broadcasts_idempotency', ['workspace_id', 'idempotency_key'])
    .execute();
  await db.schema.createIndex('broadcasts_workspace_created').on('broadcasts').columns(['workspace_id', 'created_at', 'id']).execute();

  await db.schema
    .createTable('broadcast_recipients')
    .addColumn('broadcast_id', 'text', (c) => c.notNull().references('broadcasts.id').onDelete('cascade'))
    // No foreign key to contacts: a contact deleted while the fan-out runs must not make its checkpoint fail.
    // Erasing a customer clears this table too (it has a contact_id column: src/store/erasure.ts).
    .addColumn('contact_id', 'text', (c) => c.notNull())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('message_id', 'text')
    .addColumn('skip_reason', 'text')
    .addColumn('skip_explanation', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    // The primary key is also the index every progress query and the recipients list range over.
    .addPrimaryKeyConstraint('broadcast_recipients_pk', ['broadcast_id', 'contact_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('broadcast_recipients').ifExists().execute();
  await db.schema.dropTable('broadcasts').ifExists().execute();
}
