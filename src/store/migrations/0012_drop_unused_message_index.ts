// messages_provider_id (workspace, channel kind, provider id) is used by no query: receipts and duplicates are found
// through messages_channel_provider_id (channel id, direction, provider id). Every inbound message paid for its upkeep.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('messages_provider_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('messages_provider_id').on('messages').columns(['workspace_id', 'channel', 'provider_message_id']).execute();
}
