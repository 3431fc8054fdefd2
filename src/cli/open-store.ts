// Opens (and migrates) the configured database, turning connection failures into one clear line.
import type { Config } from '../config.js';
import { ConfigError } from '../config.js';
import { Store } from '../store/store.js';

export async function openStore(config: Config, options: { migrate?: boolean } = {}): Promise<Store> {
  try {
    return await Store.open(config.databaseUrl, { ...options, secretKey: config.secretKey });
  } catch (error) {
    const reason = error instanceof Error ? error.message || error.name : String(error);
    const where = config.databaseUrl.startsWith('postgres') ? config.databaseUrl.replace(/\/\/[^@]*@/, '//…@') : config.databaseUrl;
    throw new ConfigError('LIFELINE_DATABASE_URL', `cannot open the database ${where}: ${reason}`);
  }
}
