// The retention setting at work: once a day, every workspace with `retentionDays` loses the messages and raw inbound
// webhooks older than that; and, for every workspace, finished jobs and applied raw webhooks go after 30 days. The day's purge is one job on the durable queue (deduplicated by the date), so several
// Lifeline processes run it once between them, and a purge cut short by a restart is picked up again.
import { EmbeddedJobQueue } from '../queue/embedded.js';
import { startWorker, type Worker, type WorkerLogger } from '../queue/worker.js';
import { type HousekeepingCounts, type PurgeCounts, RetentionStore } from '../store/retention.js';
import type { Store } from '../store/store.js';

export const RETENTION_QUEUE = 'retention';
export const DAY_MS = 24 * 3600 * 1000;
/** The longest retention accepted (about 100 years): beyond it, keep forever (null). */
export const MAX_RETENTION_DAYS = 36_500;

/** Everything created before this moment is purged. */
export function retentionCutoff(now: number, retentionDays: number): number {
  return now - retentionDays * DAY_MS;
}

/** The day's job key: one purge per UTC day, whoever enqueues it. */
export function retentionJobKey(now: number): string {
  return `purge:${new Date(now).toISOString().slice(0, 10)}`;
}

export interface WorkspacePurge extends PurgeCounts {
  workspaceId: string;
  cutoff: number;
}

/** Finished jobs and applied raw webhooks are kept this long, whatever the workspaces' retention settings. */
export const WORKING_RECORDS_KEPT_DAYS = 30;

/** Purges every workspace that has a retention setting; returns what went, per workspace. */
export async function purgeExpired(store: Store, now: number): Promise<WorkspacePurge[]> {
  const retention = new RetentionStore(store.db);
  const results: WorkspacePurge[] = [];
  for (const { workspaceId, retentionDays } of await retention.workspacesWithRetention()) {
    const cutoff = retentionCutoff(now, retentionDays);
    results.push({ workspaceId, cutoff, ...(await retention.purge(workspaceId, cutoff)) });
  }
  return results;
}

export interface RetentionScheduler {
  /** Enqueues today's purge if it is not queued or done yet, and wakes the worker. */
  tick(): Promise<void>;
  /** Resolves once the worker has nothing to do (tests). */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export interface RetentionOptions {
  now?: () => number;
  /** How often to check whether today's purge is queued; default hourly. */
  intervalMs?: number;
  /** The worker's id; unique per process. */
  workerName?: string;
  log?: WorkerLogger & { info?(obj: object, msg: string): void };
  onPurged?: (results: WorkspacePurge[], housekeeping: HousekeepingCounts) => void;
}

export function startRetention(store: Store, options: RetentionOptions = {}): RetentionScheduler {
  const now = options.now ?? Date.now;
  const queue = new EmbeddedJobQueue(store, { now });
  const worker: Worker = startWorker({
    queue: RETENTION_QUEUE,
    name: options.workerName ?? `retention-${process.pid}-${Math.random().toString(36).slice(2, 8)}`,
    jobQueue: queue,
    concurrency: 1,
    // A daily job needs no frequent polling: tick() wakes the worker when it enqueues.
    pollMs: 60_000,
    leaseMs: 5 * 60_000,
    now,
    log: options.log,
    handler: async () => {
      const results = await purgeExpired(store, now());
      const housekeeping = await new RetentionStore(store.db).housekeeping(retentionCutoff(now(), WORKING_RECORDS_KEPT_DAYS));
      options.onPurged?.(results, housekeeping);
      const purged = results.filter((r) => r.messages + r.inboundEvents + r.conversations > 0);
      if (purged.length > 0 || housekeeping.jobs + housekeeping.inboundEvents > 0) {
        options.log?.info?.({ workspaces: purged.length, ...housekeeping }, 'retention purge done');
      }
      return 'done';
    },
  });
  const tick = async () => {
    const at = now();
    const { created } = await queue.enqueue({ queue: RETENTION_QUEUE, payload: { day: retentionJobKey(at) }, dedupeKey: retentionJobKey(at), maxAttempts: 10 });
    if (created) worker.wake();
  };
  let timer: NodeJS.Timeout | null = null;
  const safeTick = () => void tick().catch((error: unknown) => options.log?.warn({ err: error }, 'could not schedule the retention purge'));
  timer = setInterval(safeTick, options.intervalMs ?? 3600_000);
  timer.unref();
  safeTick();
  return {
    tick,
    idle: () => worker.idle(),
    stop: async () => {
      if (timer) clearInterval(timer);
      timer = null;
      await worker.stop();
    },
  };
}
