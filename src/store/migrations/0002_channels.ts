// Channels in use: raw inbound events kept before processing, and messages tied to the channel that carried them.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('inbound_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('channel_id', 'text', (c) => c.notNull().references('channels.id').onDelete('cascade'))
    .addColumn('dedupe_key', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('error', 'text')
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addColumn('processed_at', 'bigint')
    .addUniqueConstraint('inbound_events_dedupe', ['channel_id', 'dedupe_key'])
    .execute();
  await db.schema.createIndex('inbound_events_pending').on('inbound_events').columns(['status', 'received_at']).execute();

  await db.schema.alterTable('messages').addColumn('channel_id', 'text').execute();
  // Provider retries and duplicates carry the same provider message id: the second copy is refused here.
  await db.schema
    .createIndex('messages_channel_provider_id')
    .on('messages')
    .columns(['channel_id', 'direction', 'provider_message_id'])
    .unique()
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('messages_channel_provider_id').execute();
  await db.schema.alterTable('messages').dropColumn('channel_id').execute();
  await db.schema.dropTable('inbound_events').execute();
}
