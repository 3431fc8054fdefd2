// WAL checkpoints on their own thread. A checkpoint copies the write-ahead log back into the database file and
// syncs it to disk; run by SQLite inside whichever commit crosses the threshold, it stalls the event loop, and every
// request waiting on it, for milliseconds (it doubled the cost of the average inbound commit, and most of the p99).
// A worker thread with its own connection checkpoints instead, while the main connection keeps writing: in WAL mode
// a checkpoint does not block writers.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** How often the worker checkpoints; a passive checkpoint of an already-copied log costs next to nothing. */
const INTERVAL_MS = 200;

/**
 * Pages of log after which the main connection still checkpoints itself: a safety net for when the worker cannot
 * keep up or is gone, so the log cannot grow without bound (SQLite's own default is 1,000).
 */
export const FALLBACK_AUTOCHECKPOINT_PAGES = 20_000;

/** The longest close() blocks waiting for the worker to let go of the file. */
const STOP_WAIT_MS = 5_000;

// Plain CommonJS evaluated in the worker, so it runs the same from src/ under the test runner and from dist/.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const stopped = new Int32Array(workerData.stopped);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 5000');
const checkpoint = (mode) => {
  try { db.pragma('wal_checkpoint(' + mode + ')'); } catch { /* busy or closing: the next round tries again */ }
};
const timer = setInterval(() => checkpoint('PASSIVE'), workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  Atomics.store(stopped, 0, 1);
  Atomics.notify(stopped, 0);
  parentPort.close();
});
`;

export interface BackgroundCheckpoints {
  /**
   * Stops the worker and waits (blocking, briefly) until its connection is closed: the caller's own connection is
   * then the last one, whose close folds the rest of the log into the file and removes it, and the files are free
   * to be moved or deleted at once.
   */
  stop(): void;
}

export function startBackgroundCheckpoints(file: string, intervalMs = INTERVAL_MS): BackgroundCheckpoints {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const stopped = new SharedArrayBuffer(4);
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver, file, intervalMs, stopped } });
  // Never what keeps the process alive; an error there leaves the main connection's own checkpoints to do the work.
  worker.unref();
  let exited = false;
  worker.on('error', () => {});
  worker.once('exit', () => {
    exited = true;
  });
  return {
    stop() {
      if (exited) return;
      worker.postMessage('stop');
      Atomics.wait(new Int32Array(stopped), 0, 0, STOP_WAIT_MS);
    },
  };
}
