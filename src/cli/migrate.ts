// `lifeline migrate`: bring the database schema up to date (start does this too).
import type { Config } from '../config.js';
import { migrateToLatest } from '../store/migrate.js';
import { openStore } from './open-store.js';

export async function migrate(config: Config): Promise<void> {
  const store = await openStore(config, { migrate: false });
  try {
    const { applied } = await migrateToLatest(store.db);
    process.stdout.write(applied.length ? `Applied migrations: ${applied.join(', ')}\n` : 'The database is up to date.\n');
  } finally {
    await store.close();
  }
}
