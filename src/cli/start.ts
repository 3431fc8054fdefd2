// `lifeline start`: open the database, serve HTTP, and shut down cleanly on SIGTERM/SIGINT.
import pino from 'pino';
import type { Config } from '../config.js';
import { buildApp } from '../server/app.js';
import { openStore } from './open-store.js';
import { boundHeapGrowth } from './heap-growth.js';

export function createLogger(level: string) {
  return pino({
    level,
    // Credentials never reach the log, whatever a future log line includes.
    redact: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-csrf-token"]', '*.password', '*.accessToken', '*.authToken'],
  });
}

export async function start(config: Config): Promise<void> {
  boundHeapGrowth();
  const logger = createLogger(config.logLevel);
  const store = await openStore(config);
  const app = await buildApp({ store, config, logger });
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    await store.close();
    throw new Error(`cannot listen on ${config.host}:${config.port}: ${(error as Error).message}. Choose another --port or stop what uses it.`);
  }
  logger.info({ url: `http://${config.host}:${config.port}`, database: store.dialect, dataDir: config.dataDir }, 'Lifeline is running');
  const replayed = await app.channels.drainPending();
  if (replayed > 0) logger.info({ replayed }, 'processed inbound events left pending by the last run');
  await app.channels.startReceivers();
  // Sends queued before a restart (and attempts a crash interrupted) are picked up here.
  app.dispatcher.start();
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down');
    await app.close();
    await store.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}
