// An incident's timeline entries keep why they were written as a reason code and the facts they quote (JSON), so the
// inbox can word them in the staff's language; `text` stays the English sentence. Older entries have neither.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('incident_events').addColumn('reason', 'text').execute();
  await db.schema.alterTable('incident_events').addColumn('facts', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('incident_events').dropColumn('facts').execute();
  await db.schema.alterTable('incident_events').dropColumn('reason').execute();
}
