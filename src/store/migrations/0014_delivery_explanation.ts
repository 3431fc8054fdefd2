// Why a message failed, kept on the delivery when neither its attempts nor its skipped channels tell it (its contact
// was deleted before it went out). The timeline row had it, but that row goes with the contact.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('deliveries').addColumn('explanation', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('deliveries').dropColumn('explanation').execute();
}
