// The one set of migrations, applied in order on start and by `lifeline migrate`, on SQLite and PostgreSQL alike.
import { type Kysely, type Migration, type MigrationProvider, Migrator } from 'kysely';
import * as foundation from './migrations/0001_foundation.js';
import * as channels from './migrations/0002_channels.js';
import * as contactSearchTrigram from './migrations/0003_contact_search_trigram.js';
import * as jobs from './migrations/0004_jobs.js';
import * as contactSearchFts from './migrations/0005_contact_search_fts.js';
import * as delivery from './migrations/0006_delivery.js';
import * as inbox from './migrations/0007_inbox.js';
import * as webhooks from './migrations/0008_webhooks.js';
import * as transfer from './migrations/0009_transfer.js';
import * as broadcasts from './migrations/0010_broadcasts.js';
import * as incidents from './migrations/0011_incidents.js';
import * as dropUnusedMessageIndex from './migrations/0012_drop_unused_message_index.js';
import * as searchWithoutAccents from './migrations/0013_search_without_accents.js';
import * as deliveryExplanation from './migrations/0014_delivery_explanation.js';
import * as contactLinks from './migrations/0015_contact_links.js';
import * as incidentEventReasons from './migrations/0016_incident_event_reasons.js';
import type { Database } from './schema.js';

// Listed here rather than read from the folder so that the compiled package and tsx behave the same.
const MIGRATIONS: Record<string, Migration> = {
  '0001_foundation': foundation,
  '0002_channels': channels,
  '0003_contact_search_trigram': contactSearchTrigram,
  '0004_jobs': jobs,
  '0005_contact_search_fts': contactSearchFts,
  '0006_delivery': delivery,
  '0007_inbox': inbox,
  '0008_webhooks': webhooks,
  '0009_transfer': transfer,
  '0010_broadcasts': broadcasts,
  '0011_incidents': incidents,
  '0012_drop_unused_message_index': dropUnusedMessageIndex,
  '0013_search_without_accents': searchWithoutAccents,
  '0014_delivery_explanation': deliveryExplanation,
  '0015_contact_links': contactLinks,
  '0016_incident_event_reasons': incidentEventReasons,
};

const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

export interface MigrationReport {
  applied: string[];
}

export async function migrateToLatest(db: Kysely<Database>): Promise<MigrationReport> {
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`Database migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  return { applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}
