// The inbox (issue 5): a slug per workspace for public URLs (`/c/{slug}`), when staff last read each conversation
// (unread counts, read from messages_conversation), and an index that lets the channel health monitor read a
// channel's recent attempts without scanning every attempt ever made.
import { type Kysely, sql } from 'kysely';
import { slugify, uniqueSlug } from '../../core/slug.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('workspaces').addColumn('slug', 'text').execute();
  // Existing workspaces get the slug their name asks for, the oldest first, so the first "Shop" keeps "shop".
  const rows = await sql<{ id: string; name: string }>`select id, name from workspaces order by created_at, id`.execute(db);
  const taken = new Set<string>();
  for (const row of rows.rows) {
    const slug = uniqueSlug(slugify(row.name), taken);
    taken.add(slug);
    await sql`update workspaces set slug = ${slug} where id = ${row.id}`.execute(db);
  }
  // NULLs never collide on either database; the store always writes a slug.
  await db.schema.createIndex('workspaces_slug').on('workspaces').column('slug').unique().execute();

  // Epoch ms of the last time staff opened the conversation; inbound messages after it are unread.
  await db.schema.alterTable('conversations').addColumn('last_read_at', 'bigint').execute();

  // The inbox counts each conversation's unread inbound messages (those after last_read_at). With the direction in
  // messages_conversation that count is read from the index alone instead of from every message row (bench/store.ts:
  // 14 ms → 2.7 ms for a page of 50 on SQLite). The same number of indexes as before, so writes cost no more.
  await db.schema.dropIndex('messages_conversation').execute();
  await db.schema.createIndex('messages_conversation').on('messages').columns(['conversation_id', 'created_at', 'direction']).execute();

  // Health reads the last 15 minutes of attempts per channel (src/health/): an index range instead of a full scan.
  await db.schema.createIndex('delivery_attempts_channel_time').on('delivery_attempts').columns(['channel_id', 'created_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('delivery_attempts_channel_time').ifExists().execute();
  await db.schema.dropIndex('messages_conversation').ifExists().execute();
  await db.schema.createIndex('messages_conversation').on('messages').columns(['conversation_id', 'created_at']).execute();
  await db.schema.alterTable('conversations').dropColumn('last_read_at').execute();
  await db.schema.dropIndex('workspaces_slug').ifExists().execute();
  await db.schema.alterTable('workspaces').dropColumn('slug').execute();
}
