// The durable job queue on SQLite and PostgreSQL: transactional enqueue, deduplication, leases that no two workers
// share, reclaiming a dead worker's jobs, retries, dead letters, scheduling, and the worker loop.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedJobQueue } from '../src/queue/embedded.js';
import type { Job } from '../src/queue/types.js';
import { startWorker, type WorkerLogger } from '../src/queue/worker.js';
import { Store } from '../src/store/store.js';
import { DATABASES, openTestStore } from './support/databases.js';

const quiet: WorkerLogger = { warn: () => {}, error: () => {} };

async function waitFor<T>(probe: () => Promise<T | null | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('Timed out waiting for a condition.');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe.each(DATABASES)('job queue on $kind', ({ kind, skip }) => {
  let store: Store;
  let url: string;
  let close: () => Promise<void>;
  let jobs: EmbeddedJobQueue;

  beforeAll(async () => {
    if (skip) return;
    ({ store, url, close } = await openTestStore(kind));
    jobs = new EmbeddedJobQueue(store);
  });
  afterAll(async () => {
    if (!skip) await close();
  });

  const enqueueMany = async (queue: string, count: number, runAt?: number): Promise<string[]> =>
    store.db.transaction().execute(async (trx) => {
      const ids: string[] = [];
      for (let i = 0; i < count; i++) ids.push((await jobs.enqueue({ queue, payload: { n: i }, runAt }, trx)).id);
      return ids;
    });

  it.skipIf(skip)('writes the job in the caller’s transaction: a rollback leaves no job', async () => {
    let rolledBack = '';
    await expect(
      store.db.transaction().execute(async (trx) => {
        rolledBack = (await jobs.enqueue({ queue: 'tx', payload: { message: 'm1' } }, trx)).id;
        throw new Error('the message could not be stored');
      }),
    ).rejects.toThrow('the message could not be stored');
    expect(rolledBack).not.toBe('');
    expect(await jobs.get(rolledBack)).toBeNull();

    const committed = await store.db.transaction().execute(async (trx) => (await jobs.enqueue({ queue: 'tx', payload: { message: 'm2' } }, trx)).id);
    expect(await jobs.get(committed)).toMatchObject({ status: 'queued', payload: { message: 'm2' }, attempts: 0, maxAttempts: 5 });
    expect(await jobs.stats('tx')).toEqual({ queued: 1, running: 0, done: 0, dead: 0, scheduled: 0 });
  });

  it.skipIf(skip)('returns the first job for a repeated dedupeKey, also when enqueued at the same moment', async () => {
    const first = await jobs.enqueue({ queue: 'dedupe', payload: 'first', dedupeKey: 'msg-1' });
    const again = await jobs.enqueue({ queue: 'dedupe', payload: 'second', dedupeKey: 'msg-1' });
    expect(first.created).toBe(true);
    expect(again).toEqual({ id: first.id, created: false });
    expect((await jobs.get(first.id))?.payload).toBe('first');
    // The key is unique per queue only.
    expect((await jobs.enqueue({ queue: 'dedupe-other', payload: 'x', dedupeKey: 'msg-1' })).created).toBe(true);

    const racing = await Promise.all(Array.from({ length: 8 }, (_, i) => jobs.enqueue({ queue: 'dedupe', payload: i, dedupeKey: 'msg-2' })));
    expect(new Set(racing.map((r) => r.id)).size).toBe(1);
    expect(racing.filter((r) => r.created)).toHaveLength(1);
    expect((await jobs.stats('dedupe')).queued).toBe(2);
  });

  it.skipIf(skip)('never leases one job to two workers: 500 jobs claimed in tight loops over two connections', async () => {
    const ids = await enqueueMany('race', 500);
    const second = await Store.open(url);
    try {
      const connections = [jobs, new EmbeddedJobQueue(second)];
      const claimedBy = new Map<string, string[]>();
      const perConnection = [0, 0];
      // Four claiming loops on each connection (on PostgreSQL each loop gets its own pooled connection).
      const loops = Array.from({ length: 8 }, async (_, i) => {
        const connection = i % 2;
        const queue = connections[connection]!;
        const worker = `racer-${i}`;
        for (;;) {
          const batch = await queue.claim('race', worker, { limit: 7, leaseMs: 60_000 });
          if (batch.length === 0) return;
          perConnection[connection]! += batch.length;
          for (const job of batch) {
            claimedBy.set(job.id, [...(claimedBy.get(job.id) ?? []), worker]);
            expect(job).toMatchObject({ status: 'running', leaseOwner: worker, attempts: 1 });
            expect(await queue.complete(job.id, worker)).toBe(true);
          }
        }
      });
      await Promise.all(loops);
      expect([...claimedBy.values()].filter((owners) => owners.length > 1)).toEqual([]);
      expect([...claimedBy.keys()].sort()).toEqual([...ids].sort());
      expect(perConnection[0]).toBeGreaterThan(0);
      expect(perConnection[1]).toBeGreaterThan(0);
      expect(await jobs.stats('race')).toEqual({ queued: 0, running: 0, done: 500, dead: 0, scheduled: 0 });
    } finally {
      await second.close();
    }
  });

  it.skipIf(skip)('gives an expired lease to another worker and refuses the old worker', async () => {
    const t = Date.now();
    const { id } = await jobs.enqueue({ queue: 'lease', payload: null, runAt: t });
    const [mine] = await jobs.claim('lease', 'slow', { limit: 10, leaseMs: 1_000, now: t });
    expect(mine).toMatchObject({ id, leaseOwner: 'slow', leaseUntil: t + 1_000, attempts: 1 });
    expect(await jobs.claim('lease', 'other', { limit: 10, leaseMs: 1_000, now: t + 999 })).toEqual([]);

    const [taken] = await jobs.claim('lease', 'other', { limit: 10, leaseMs: 1_000, now: t + 1_000 });
    expect(taken).toMatchObject({ id, leaseOwner: 'other', attempts: 2, lastError: 'lease of slow expired' });
    expect(await jobs.complete(id, 'slow')).toBe(false);
    expect(await jobs.retry(id, 'slow', { runAt: t, error: 'late' })).toBe(false);
    expect(await jobs.deadLetter(id, 'slow', 'late')).toBe(false);
    expect(await jobs.extendLease(id, 'slow', 1_000)).toBe(false);
    expect(await jobs.reschedule(id, t, 'slow')).toBe(false);
    expect(await jobs.get(id)).toMatchObject({ status: 'running', leaseOwner: 'other' });
    expect(await jobs.complete(id, 'other')).toBe(true);
    expect(await jobs.get(id)).toMatchObject({ status: 'done', leaseOwner: null, attempts: 2 });
    expect(await jobs.complete(id, 'other')).toBe(false);
  });

  it.skipIf(skip)('does not claim a retried job before its runAt', async () => {
    const t = Date.now();
    const { id } = await jobs.enqueue({ queue: 'retry', payload: 1, runAt: t });
    await jobs.claim('retry', 'w', { limit: 1, leaseMs: 1_000, now: t });
    expect(await jobs.retry(id, 'w', { runAt: t + 5_000, error: 'provider timed out' })).toBe(true);
    expect(await jobs.stats('retry', t + 1)).toEqual({ queued: 0, running: 0, done: 0, dead: 0, scheduled: 1 });
    expect(await jobs.claim('retry', 'w', { limit: 1, leaseMs: 1_000, now: t + 4_999 })).toEqual([]);
    const [again] = await jobs.claim('retry', 'w', { limit: 1, leaseMs: 1_000, now: t + 5_000 });
    expect(again).toMatchObject({ id, attempts: 2, lastError: 'provider timed out' });
  });

  it.skipIf(skip)('keeps the reason of a dead-lettered job and never claims it again', async () => {
    const { id } = await jobs.enqueue({ queue: 'dead', payload: 1 });
    await jobs.claim('dead', 'w', { limit: 1, leaseMs: 1_000 });
    expect(await jobs.deadLetter(id, 'w', 'The recipient blocked the business.')).toBe(true);
    expect(await jobs.get(id)).toMatchObject({ status: 'dead', lastError: 'The recipient blocked the business.', leaseOwner: null });
    expect(await jobs.claim('dead', 'w', { limit: 1, leaseMs: 1_000, now: Date.now() + 86_400_000 })).toEqual([]);
    expect((await jobs.stats('dead')).dead).toBe(1);
  });

  it.skipIf(skip)('holds a scheduled job until its notBefore; rescheduling moves it without using an attempt', async () => {
    const t = Date.now();
    const { id } = await jobs.enqueue({ queue: 'later', payload: 1, runAt: t + 60_000 });
    expect(await jobs.claim('later', 'w', { limit: 5, leaseMs: 1_000, now: t })).toEqual([]);
    expect(await jobs.stats('later', t)).toMatchObject({ queued: 0, scheduled: 1 });
    expect(await jobs.stats('later', t + 60_000)).toMatchObject({ queued: 1, scheduled: 0 });

    expect(await jobs.reschedule(id, t + 10)).toBe(true);
    const [claimed] = await jobs.claim('later', 'w', { limit: 5, leaseMs: 1_000, now: t + 10 });
    expect(claimed).toMatchObject({ id, attempts: 1 });
    // Not a failure (quiet hours, say): back to queued with the attempt given back; a running job needs its lease.
    expect(await jobs.reschedule(id, t + 20)).toBe(false);
    expect(await jobs.reschedule(id, t + 20, 'w')).toBe(true);
    expect(await jobs.get(id)).toMatchObject({ status: 'queued', runAt: t + 20, attempts: 0, leaseOwner: null });
  });

  it.skipIf(skip)('processes 1,000 jobs with concurrency 8 and stops cleanly', async () => {
    const ids = await enqueueMany('bulk', 1_000);
    const seen = new Map<string, number>();
    let inFlight = 0;
    let maxInFlight = 0;
    const started = performance.now();
    const worker = startWorker({
      queue: 'bulk',
      name: 'bulk-worker',
      jobQueue: jobs,
      concurrency: 8,
      leaseMs: 10_000,
      pollMs: 20,
      log: quiet,
      handler: async (job) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        seen.set(job.id, (seen.get(job.id) ?? 0) + 1);
        await new Promise((resolve) => setImmediate(resolve));
        inFlight--;
        return 'done';
      },
    });
    await worker.idle();
    const seconds = (performance.now() - started) / 1000;
    await worker.stop();
    console.info(`[queue ${kind}] worker: ${Math.round(1_000 / seconds)} jobs/s (claim → handler → complete, concurrency 8)`);
    expect([...seen.keys()].sort()).toEqual([...ids].sort());
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    expect(maxInFlight).toBeLessThanOrEqual(8);
    expect(maxInFlight).toBeGreaterThan(1);
    expect(await jobs.stats('bulk')).toEqual({ queued: 0, running: 0, done: 1_000, dead: 0, scheduled: 0 });
  });

  it.skipIf(skip)('stops after the jobs in flight finish, and claims nothing more', async () => {
    await enqueueMany('stop', 5);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let started = 0;
    const worker = startWorker({
      queue: 'stop',
      name: 'stopper',
      jobQueue: jobs,
      concurrency: 2,
      pollMs: 20,
      log: quiet,
      handler: async () => {
        started++;
        await gate;
        return 'done';
      },
    });
    await waitFor(async () => started === 2);
    const stopping = worker.stop();
    setTimeout(release, 50);
    await stopping;
    expect(await jobs.stats('stop')).toMatchObject({ done: 2, running: 0, queued: 3 });
    expect(started).toBe(2);
  });

  it.skipIf(skip)('retries a handler that throws with backoff, then dead-letters it after maxAttempts', async () => {
    const { id } = await jobs.enqueue({ queue: 'flaky', payload: null, maxAttempts: 3 });
    const attempts: { attempt: number; at: number }[] = [];
    const warnings: { msg: string; attempt: unknown }[] = [];
    const worker = startWorker({
      queue: 'flaky',
      name: 'flaky-worker',
      jobQueue: jobs,
      pollMs: 5,
      backoff: { baseMs: 40, maxMs: 1_000 },
      log: { ...quiet, warn: (obj, msg) => warnings.push({ msg, attempt: (obj as { attempt?: unknown }).attempt }) },
      handler: async (job) => {
        attempts.push({ attempt: job.attempts, at: Date.now() });
        throw new Error(`provider said no (${job.attempts})`);
      },
    });
    try {
      const dead = await waitFor(async () => {
        const job = await jobs.get(id);
        return job?.status === 'dead' ? job : null;
      });
      expect(dead).toMatchObject({ attempts: 3, lastError: 'provider said no (3) (gave up after 3 attempts)' });
      expect(attempts.map((a) => a.attempt)).toEqual([1, 2, 3]);
      // Every failure is told, not only the last.
      expect(warnings).toEqual([1, 2, 3].map((attempt) => ({ msg: expect.stringMatching(/^A job failed/), attempt })));
      // Equal jitter: at least half the window, 20 ms after the first failure and 40 ms after the second.
      expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(19);
      expect(attempts[2]!.at - attempts[1]!.at).toBeGreaterThanOrEqual(39);
    } finally {
      await worker.stop();
    }
  });

  it.skipIf(skip)('retries a job whose handler returns something that is not an outcome', async () => {
    const { id } = await jobs.enqueue({ queue: 'confused', payload: null, maxAttempts: 1 });
    const worker = startWorker({
      queue: 'confused',
      name: 'confused-worker',
      jobQueue: jobs,
      pollMs: 10,
      log: quiet,
      handler: async () => ({ status: 'ok' }) as unknown as 'done',
    });
    await worker.idle();
    await worker.stop();
    expect(await jobs.get(id)).toMatchObject({
      status: 'dead',
      lastError: 'The job handler returned {"status":"ok"}, which is not an outcome. (gave up after 1 attempt)',
    });
  });

  it.skipIf(skip)('picks up the jobs of a worker that died, and dead-letters a job that keeps killing its workers', async () => {
    const t = Date.now();
    const [survivor] = await enqueueMany('crash', 1, t - 100);
    const { id: poison } = await jobs.enqueue({ queue: 'crash', payload: 'poison', maxAttempts: 2, runAt: t - 100 });
    // A worker claims both jobs and dies; so does the next one. The poison job has now used its two attempts.
    await jobs.claim('crash', 'died-1', { limit: 10, leaseMs: 1, now: t - 10 });
    await jobs.claim('crash', 'died-2', { limit: 10, leaseMs: 1, now: t - 5 });
    const handled: Job[] = [];
    const worker = startWorker({
      queue: 'crash',
      name: 'survivor',
      jobQueue: jobs,
      pollMs: 10,
      log: quiet,
      handler: async (job) => {
        handled.push(job);
        return 'done';
      },
    });
    await worker.idle();
    await worker.stop();
    expect(handled.map((j) => j.id)).toEqual([survivor]);
    expect(await jobs.get(survivor!)).toMatchObject({ status: 'done', attempts: 3 });
    expect(await jobs.get(poison)).toMatchObject({ status: 'dead', lastError: 'Gave up after 2 attempts; the last one ended with: lease of died-2 expired.' });
  });

  it.skipIf(skip)('keeps the lease of a long job alive so no one else takes it', async () => {
    const { id } = await jobs.enqueue({ queue: 'long', payload: null });
    const rival = new EmbeddedJobQueue(store);
    let rivalClaims = 0;
    const worker = startWorker({
      queue: 'long',
      name: 'patient',
      jobQueue: jobs,
      leaseMs: 150,
      pollMs: 10,
      log: quiet,
      handler: async () => {
        for (let i = 0; i < 10; i++) {
          rivalClaims += (await rival.claim('long', 'rival', { limit: 1, leaseMs: 1_000 })).length;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        return 'done';
      },
    });
    await worker.idle();
    await worker.stop();
    expect(rivalClaims).toBe(0);
    expect(await jobs.get(id)).toMatchObject({ status: 'done', attempts: 1 });
  });
});
