// Incidents (issue 6, plan B): a channel down or banned for too long opens an incident; its timeline says what
// happened and what Lifeline did. Also each workspace's incident settings and playbooks, and the history of every
// channel's health (one row per change, with the reason), and channel migrations (a banned account's customers
// told to move to another channel).
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('incidents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    // No foreign key: an incident outlives a channel deleted during it.
    .addColumn('channel_id', 'text')
    .addColumn('channel_kind', 'text')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('origin', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('actions', 'text', (c) => c.notNull())
    .addColumn('opened_by', 'text', (c) => c.notNull())
    .addColumn('opened_at', 'bigint', (c) => c.notNull())
    .addColumn('closed_at', 'bigint')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('incidents_workspace_state').on('incidents').columns(['workspace_id', 'state', 'opened_at']).execute();

  await db.schema
    .createTable('incident_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id').onDelete('cascade'))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('incident_events_incident').on('incident_events').columns(['incident_id', 'at']).execute();

  await db.schema
    .createTable('incident_settings')
    .addColumn('workspace_id', 'text', (c) => c.primaryKey().references('workspaces.id').onDelete('cascade'))
    .addColumn('settings', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('channel_health_history')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('channel_id', 'text', (c) => c.notNull())
    .addColumn('health', 'text', (c) => c.notNull())
    .addColumn('previous', 'text')
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('incident_migrations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('from_channel_id', 'text', (c) => c.notNull())
    .addColumn('to_channel_id', 'text', (c) => c.notNull())
    .addColumn('broadcast_id', 'text')
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  // Inbound silence (the health monitor): the inbound messages of each channel over the last day.
  await db.schema.createIndex('messages_channel_created').on('messages').columns(['channel_id', 'created_at']).execute();

  await db.schema.createIndex('channel_health_history_channel').on('channel_health_history').columns(['channel_id', 'at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('messages_channel_created').ifExists().execute();
  await db.schema.dropTable('incident_migrations').ifExists().execute();
  await db.schema.dropTable('channel_health_history').ifExists().execute();
  await db.schema.dropTable('incident_settings').ifExists().execute();
  await db.schema.dropTable('incident_events').ifExists().execute();
  await db.schema.dropTable('incidents').ifExists().execute();
}
