// A worker: claims jobs of one queue in batches, runs a handler on each with bounded concurrency, keeps the leases of
// long jobs alive, and settles every job as done, retried with backoff, delayed, or dead-lettered with its reason.
// The common outcomes (done, delayed) and the lease renewals are written for many jobs in one statement.
import { type BackoffPolicy, backoffDelay, DEFAULT_BACKOFF } from './backoff.js';
import { Batcher } from './batching.js';
import type { Job, JobQueue } from './types.js';

/** What a handler decides for its job. */
export type JobOutcome =
  | 'done'
  /** Failed, try again at `retryAt` (epoch ms); dead-lettered instead once the job has used its attempts. */
  | { retryAt: number; error: string }
  /** Failed for good. */
  | { dead: string }
  /** Not now, and not a failure (a rate limit, quiet hours): run again at `delayUntil` without using an attempt. */
  | { delayUntil: number };

export interface JobContext {
  /** Aborted when this worker lost the job's lease or gave up waiting for it while stopping: stop what you can. */
  signal: AbortSignal;
  workerId: string;
}

export type JobHandler = (job: Job, context: JobContext) => Promise<JobOutcome>;

export interface WorkerLogger {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface WorkerOptions {
  queue: string;
  /** The lease owner's id: unique per worker across every process that shares the queue. */
  name: string;
  jobQueue: JobQueue;
  handler: JobHandler;
  /** Jobs run at once; default 4. */
  concurrency?: number;
  /**
   * While jobs are running, claim only once this many slots are free (default a quarter of `concurrency`): one
   * claim then fills many slots, instead of one claim per finished job.
   */
  minClaim?: number;
  /** Default 30 s; leases of running jobs are extended every third of it. */
  leaseMs?: number;
  /** How often to look for due jobs when nothing woke the worker; default 500 ms. */
  pollMs?: number;
  /**
   * Asked before each claim: false holds claiming until the next poll or wake. Backpressure: the dispatcher holds
   * new sends while the receipts of earlier ones wait to be applied.
   */
  admit?: () => Promise<boolean> | boolean;
  /** How long `stop()` waits for jobs in flight; default 10 s. Jobs still running after that keep their lease. */
  stopTimeoutMs?: number;
  backoff?: BackoffPolicy;
  now?: () => number;
  log?: WorkerLogger;
}

export interface Worker {
  /** Look for jobs now instead of at the next poll (call it after enqueueing, once the transaction committed). */
  wake(): void;
  /** Resolves once the worker has looked for due jobs, found none, and has nothing in flight. */
  idle(): Promise<void>;
  /** Claims no more jobs and waits, at most `stopTimeoutMs`, for those in flight. */
  stop(): Promise<void>;
}

const consoleLogger: WorkerLogger = {
  warn: (obj, msg) => console.warn(msg, obj),
  error: (obj, msg) => console.error(msg, obj),
};

interface Running {
  job: Job;
  controller: AbortController;
  /** Set when extending the lease was refused: the job is someone else's now, and its outcome is not ours to record. */
  leaseLost: boolean;
  /** The handler has finished and its outcome is being recorded. */
  settling: boolean;
  done?: Promise<void>;
}

export function startWorker(options: WorkerOptions): Worker {
  const { queue, name, jobQueue, handler } = options;
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const minClaim = Math.min(concurrency, Math.max(1, options.minClaim ?? Math.floor(concurrency / 4)));
  const leaseMs = options.leaseMs ?? 30_000;
  const pollMs = options.pollMs ?? 500;
  const stopTimeoutMs = options.stopTimeoutMs ?? 10_000;
  const policy = options.backoff ?? DEFAULT_BACKOFF;
  const now = options.now ?? Date.now;
  const log = options.log ?? consoleLogger;

  const running = new Map<string, Running>();
  const idleWaiters: (() => void)[] = [];
  let stopping = false;
  let wakeRequested = false;
  let wakeUp: (() => void) | null = null;
  let stopped: Promise<void> | null = null;

  const wake = () => {
    wakeRequested = true;
    wakeUp?.();
  };

  const pause = () =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, pollMs);
      function done() {
        clearTimeout(timer);
        wakeUp = null;
        resolve();
      }
      wakeUp = done;
    });

  async function loop(): Promise<void> {
    while (!stopping) {
      wakeRequested = false;
      const free = concurrency - running.size;
      if (free >= minClaim || (free > 0 && running.size === 0)) {
        // Only those who asked before this claim began may be told "idle" by its empty answer.
        const waiting = idleWaiters.length;
        let claimed: Job[];
        try {
          if (options.admit && !(await options.admit())) {
            await pause();
            continue;
          }
          claimed = await jobQueue.claim(queue, name, { limit: free, leaseMs, now: now() });
        } catch (error) {
          log.error({ err: error, queue, worker: name }, 'Could not claim jobs; trying again at the next poll.');
          await pause();
          continue;
        }
        for (const job of claimed) start(job);
        if (claimed.length === 0 && running.size === 0) for (const resolve of idleWaiters.splice(0, waiting)) resolve();
      }
      // A finished job, wake() or stop() ends the pause early, or skips it when they came during the claim; jobs
      // finishing while a claim is under way are refilled together by the next one.
      if (!stopping && !wakeRequested) await pause();
    }
  }

  function start(job: Job): void {
    // Our own lease ran out (the event loop stalled past it) and this claim took the job back: the execution that
    // is still running carries on under the renewed lease.
    if (running.has(job.id)) return;
    const entry: Running = { job, controller: new AbortController(), leaseLost: false, settling: false };
    running.set(job.id, entry);
    entry.done = run(entry).finally(() => {
      running.delete(job.id);
      wake();
    });
  }

  async function run(entry: Running): Promise<void> {
    const { job, controller } = entry;
    const signal = controller.signal;
    let outcome: JobOutcome;
    if (job.attempts > job.maxAttempts) {
      // Claimed again after its workers died mid-job maxAttempts times: most likely the job itself kills them.
      outcome = { dead: `Gave up after ${job.maxAttempts} attempts; the last one ended with: ${job.lastError ?? 'unknown'}.` };
    } else {
      try {
        const returned: unknown = await handler(job, { signal, workerId: name });
        if (!isOutcome(returned)) throw new Error(`The job handler returned ${JSON.stringify(returned) ?? String(returned)}, which is not an outcome.`);
        outcome = returned;
      } catch (error) {
        // Handlers answer expected failures with an outcome; a throw is something nobody planned for, so it is told.
        log.warn({ err: error, queue, worker: name, jobId: job.id, attempt: job.attempts, maxAttempts: job.maxAttempts }, 'A job failed; it runs again after a pause.');
        outcome = { retryAt: now() + backoffDelay(job.attempts, { policy, retryAfterMs: retryAfterMs(error) }), error: errorMessage(error) };
      }
    }
    if (entry.leaseLost) return;
    entry.settling = true;
    try {
      const settled = await settle(job, outcome);
      if (!settled) log.warn({ queue, worker: name, jobId: job.id }, 'The job was settled elsewhere: this worker no longer held its lease.');
    } catch (error) {
      // The job stays leased to us; when the lease expires another claim picks it up again.
      log.error({ err: error, queue, worker: name, jobId: job.id }, 'Could not record the outcome of a job; it will run again after its lease expires.');
    }
  }

  const completions = new Batcher<string, boolean>(async (ids) => {
    const done = await jobQueue.completeMany(ids, name);
    return ids.map((id) => done.has(id));
  });
  const delays = new Batcher<{ id: string; runAt: number }, boolean>(async (items) => {
    const moved = await jobQueue.rescheduleMany(items, name);
    return items.map((item) => moved.has(item.id));
  });

  function settle(job: Job, outcome: JobOutcome): Promise<boolean> {
    if (outcome === 'done') return completions.submit(job.id);
    if ('dead' in outcome) return jobQueue.deadLetter(job.id, name, outcome.dead);
    if ('delayUntil' in outcome) return delays.submit({ id: job.id, runAt: outcome.delayUntil });
    if (job.attempts >= job.maxAttempts) {
      return jobQueue.deadLetter(job.id, name, `${outcome.error} (gave up after ${job.attempts} ${job.attempts === 1 ? 'attempt' : 'attempts'})`);
    }
    return jobQueue.retry(job.id, name, { runAt: outcome.retryAt, error: outcome.error });
  }

  // One timer and one statement for all leases: cheap, and it only writes for jobs that are actually running.
  const leaseTimer = setInterval(() => {
    const entries = [...running.values()];
    if (entries.length === 0) return;
    jobQueue.extendLeases(entries.map((entry) => entry.job.id), name, leaseMs).then(
      (held) => {
        for (const entry of entries) {
          const { job, controller } = entry;
          // A refusal right after the job settled itself is expected; only a job still in flight has lost its lease.
          if (!held.has(job.id) && running.get(job.id) === entry && !entry.settling) {
            entry.leaseLost = true;
            log.warn({ queue, worker: name, jobId: job.id }, 'Lost the lease of a running job; another worker may run it.');
            controller.abort(new Error('The job lease was lost.'));
          }
        }
      },
      (error: unknown) => log.error({ err: error, queue, worker: name }, 'Could not extend the leases of running jobs.'),
    );
  }, Math.max(10, Math.floor(leaseMs / 3)));

  const looping = loop();

  return {
    wake,
    idle() {
      if (stopped) return stopped;
      return new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
        wake();
      });
    },
    stop() {
      stopped ??= (async () => {
        stopping = true;
        wake();
        await looping;
        let timer: NodeJS.Timeout | undefined;
        const finished = Promise.allSettled([...running.values()].map((r) => r.done)).then(() => true);
        const timedOut = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), stopTimeoutMs)));
        const allDone = await Promise.race([finished, timedOut]);
        clearTimeout(timer);
        clearInterval(leaseTimer);
        if (!allDone) {
          log.warn({ queue, worker: name, jobIds: [...running.keys()] }, 'Stopped with jobs still running; they run again elsewhere once their leases expire.');
          for (const { controller } of running.values()) controller.abort(new Error('The worker is stopping.'));
        }
        for (const resolve of idleWaiters.splice(0)) resolve();
      })();
      return stopped;
    },
  };
}

function isOutcome(value: unknown): value is JobOutcome {
  if (value === 'done') return true;
  if (typeof value !== 'object' || value === null) return false;
  const o = value as Record<string, unknown>;
  return (
    (typeof o.retryAt === 'number' && typeof o.error === 'string') || typeof o.dead === 'string' || typeof o.delayUntil === 'number'
  );
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A provider's "retry after" carried by the thrown error (`retryAfterSec`, as ProviderError has, or `retryAfterMs`). */
function retryAfterMs(error: unknown): number | null {
  if (typeof error !== 'object' || error === null) return null;
  const { retryAfterSec, retryAfterMs: ms } = error as { retryAfterSec?: unknown; retryAfterMs?: unknown };
  if (typeof ms === 'number' && Number.isFinite(ms)) return ms;
  if (typeof retryAfterSec === 'number' && Number.isFinite(retryAfterSec)) return retryAfterSec * 1000;
  return null;
}
