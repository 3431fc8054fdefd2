// The job queue's contract: what the outbox, the dispatcher and the workers rely on, whichever driver carries the
// jobs (the embedded one on the application database now, BullMQ on Redis for scale-out later).
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';

export type JobStatus = 'queued' | 'running' | 'done' | 'dead';

export interface NewJob {
  queue: string;
  /** Any JSON value; stored as text and returned parsed. */
  payload: unknown;
  /** Epoch ms before which the job is not claimed (a scheduled send, `notBefore`); default now. */
  runAt?: number;
  /** Unique per queue: enqueueing the same key again returns the existing job and writes nothing. */
  dedupeKey?: string;
  /** Claims allowed before the worker dead-letters the job; default 5. */
  maxAttempts?: number;
}

export interface Job {
  id: string;
  queue: string;
  payload: unknown;
  status: JobStatus;
  runAt: number;
  /** Claims so far; while running, the number of the current attempt (1 on the first). */
  attempts: number;
  maxAttempts: number;
  leaseOwner: string | null;
  leaseUntil: number | null;
  dedupeKey: string | null;
  /** Why the last attempt failed, why the job is dead, or whose lease expired. */
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface ClaimOptions {
  /** At most this many jobs. */
  limit: number;
  /** The lease: the claimed jobs are this worker's until now + leaseMs, then anyone's again. */
  leaseMs: number;
  /** The clock, in epoch ms; default the queue's clock. */
  now?: number;
}

export interface QueueStats {
  /** Due now and waiting for a worker. */
  queued: number;
  /** Leased by a worker (including leases that have expired and await reclaiming). */
  running: number;
  done: number;
  dead: number;
  /** Waiting for a time in the future (a retry's backoff or a scheduled send). Not counted in `queued`. */
  scheduled: number;
}

export interface EnqueueResult {
  id: string;
  /** False when a job with the same dedupeKey already existed in this queue: `id` is that job's. */
  created: boolean;
}

/**
 * A durable queue with leases. Every operation that settles a running job takes the worker's id and returns false,
 * changing nothing, when that worker no longer holds the lease: a slow worker presumed dead cannot settle a job that
 * another worker has since claimed.
 */
export interface JobQueue {
  /** With `trx`, the job is written in the caller's transaction, so it exists exactly when that transaction commits. */
  enqueue(job: NewJob, trx?: Kysely<Database>): Promise<EnqueueResult>;
  /** Many jobs in one statement per chunk; a job whose dedupeKey already exists in its queue is skipped. */
  enqueueMany(jobs: readonly NewJob[], trx?: Kysely<Database>): Promise<void>;
  /**
   * Leases up to `limit` jobs of `queue` to `workerId`: queued jobs that are due, and running jobs whose lease has
   * expired (their worker is presumed dead). Each claim counts as an attempt. No job is leased to two workers at once.
   */
  claim(queue: string, workerId: string, options: ClaimOptions): Promise<Job[]>;
  complete(id: string, workerId: string): Promise<boolean>;
  /** Completes many jobs at once; returns the ids that `workerId` still held (and so were completed). */
  completeMany(ids: readonly string[], workerId: string): Promise<Set<string>>;
  /** Back to queued, claimable again from `runAt`, remembering the error. */
  retry(id: string, workerId: string, options: { runAt: number; error: string }): Promise<boolean>;
  /** Gives up on the job for good, keeping the reason. */
  deadLetter(id: string, workerId: string, reason: string): Promise<boolean>;
  /** Pushes the lease to now + leaseMs, for jobs that run long. */
  extendLease(id: string, workerId: string, leaseMs: number): Promise<boolean>;
  /**
   * Delays a job without counting a failure (a rate limit, quiet hours, a new send time). With `workerId`, the job
   * must be running under that worker's lease and goes back to queued without using up an attempt; without, only a
   * queued job is moved.
   */
  reschedule(id: string, runAt: number, workerId?: string): Promise<boolean>;
  /** `reschedule` with a worker id, for many running jobs at once; returns the ids that were moved. */
  rescheduleMany(items: readonly { id: string; runAt: number }[], workerId: string): Promise<Set<string>>;
  /** `extendLease` for many jobs at once; returns the ids whose lease `workerId` still held. */
  extendLeases(ids: readonly string[], workerId: string, leaseMs: number): Promise<Set<string>>;
  get(id: string): Promise<Job | null>;
  stats(queue: string, now?: number): Promise<QueueStats>;
}
