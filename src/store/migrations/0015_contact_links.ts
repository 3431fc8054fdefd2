// Two contacts that are likely one person without sharing a handle: a web chat visitor left a phone number or email
// that belongs to another customer (it stays with that customer). Such pairs join the merge suggestions until one
// of the two is merged or deleted.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('contact_links')
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('contact_id', 'text', (c) => c.notNull().references('contacts.id').onDelete('cascade'))
    .addColumn('other_contact_id', 'text', (c) => c.notNull().references('contacts.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('contact_links_pk', ['contact_id', 'other_contact_id', 'kind', 'value'])
    .execute();
  await db.schema.createIndex('contact_links_other').on('contact_links').columns(['other_contact_id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('contact_links').execute();
}
