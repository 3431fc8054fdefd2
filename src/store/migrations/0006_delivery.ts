// Outbound delivery (src/dispatch/): one row per message sent through the send API (its request, idempotency key
// and where it stands), one row per attempt on a channel (recorded before the provider is called, so a crash never
// leads to a blind second send), and the circuit breaker of each channel, shared by every worker process.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('deliveries')
    .addColumn('message_id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('contact_id', 'text', (c) => c.notNull())
    .addColumn('idempotency_key', 'text')
    .addColumn('request', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('channel', 'text')
    .addColumn('skipped', 'text', (c) => c.notNull())
    .addColumn('not_before', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    // NULL keys are distinct on both databases: only messages sent with a key are deduplicated.
    .addUniqueConstraint('deliveries_idempotency', ['workspace_id', 'idempotency_key'])
    .execute();

  await db.schema
    .createTable('delivery_attempts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('channel_id', 'text', (c) => c.notNull())
    .addColumn('channel_kind', 'text', (c) => c.notNull())
    .addColumn('recipient', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('provider_message_id', 'text')
    .addColumn('error_category', 'text')
    .addColumn('error_explanation', 'text')
    .addColumn('timeout', 'text')
    .addColumn('timeout_after_ms', 'bigint')
    .addColumn('next', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('accepted_at', 'bigint')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('delivery_attempts_message').on('delivery_attempts').columns(['message_id', 'seq']).unique().execute();
  // Receipts name the channel and the provider's id; NULL ids (not yet accepted) never collide.
  await db.schema
    .createIndex('delivery_attempts_provider_id')
    .on('delivery_attempts')
    .columns(['channel_id', 'provider_message_id'])
    .unique()
    .execute();

  // A receipt can overtake the send's own response (the provider answers, then its webhook arrives before the
  // attempt is updated with the provider's id). Such receipts wait here until the attempt claims them.
  await db.schema
    .createTable('delivery_early_receipts')
    .addColumn('channel_id', 'text', (c) => c.notNull())
    .addColumn('provider_message_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('error_category', 'text')
    .addColumn('error_explanation', 'text')
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('delivery_early_receipts_pk', ['channel_id', 'provider_message_id', 'status'])
    .execute();
  await db.schema.createIndex('delivery_early_receipts_age').on('delivery_early_receipts').column('received_at').execute();

  await db.schema
    .createTable('circuit_states')
    .addColumn('channel_id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('circuit_states').ifExists().execute();
  await db.schema.dropTable('delivery_early_receipts').ifExists().execute();
  await db.schema.dropTable('delivery_attempts').ifExists().execute();
  await db.schema.dropTable('deliveries').ifExists().execute();
}
