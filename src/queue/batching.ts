// Group commit: callers submit one item each and await its own result, while the items submitted in the same turn
// of the event loop (and those that arrive while a batch is being written) are handled together, in one
// transaction or one query. Per-message code stays per-message; the database sees a few statements per batch
// instead of a few per message. By default one batch runs at a time, which suits SQLite's single writer and keeps
// the order of batches the order of submission; on PostgreSQL a few may run side by side on the pool.

export interface BatcherOptions {
  /** Items per batch at most; the rest wait for the next one. Default 256. */
  maxBatch?: number;
  /** Batches running at once; default 1. More only helps a database with several connections (PostgreSQL). */
  maxConcurrent?: number;
  /**
   * When a batch fails, run its items again one at a time, so that one bad item (a unique key lost to another
   * process, a row deleted meanwhile) fails alone instead of failing every caller in its batch. Only for work
   * that is safe to repeat after a rollback.
   */
  isolateFailures?: boolean;
  /**
   * Start a batch as soon as an item comes while none is running (after the current microtasks) instead of at the
   * next turn of the event loop: for callers that submit one item, await it, then submit the next, where waiting
   * for more company only adds latency. Items that come while a batch runs still share the next one.
   */
  startAtOnce?: boolean;
}

interface Pending<T, R> {
  item: T;
  resolve: (value: R) => void;
  reject: (error: unknown) => void;
}

export class Batcher<T, R> {
  private queue: Pending<T, R>[] = [];
  private running = 0;
  private scheduled = false;
  private readonly maxBatch: number;
  private readonly maxConcurrent: number;

  /** `run` gets the items of one batch and returns one result per item, in the same order. */
  constructor(
    private readonly run: (items: T[]) => Promise<R[]>,
    private readonly options: BatcherOptions = {},
  ) {
    this.maxBatch = Math.max(1, options.maxBatch ?? 256);
    this.maxConcurrent = Math.max(1, options.maxConcurrent ?? 1);
  }

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /** Items waiting for a batch (not counting those being written). */
  get waiting(): number {
    return this.queue.length;
  }

  private schedule(): void {
    if (this.scheduled || this.running >= this.maxConcurrent || this.queue.length === 0) return;
    this.scheduled = true;
    const launch = () => {
      this.scheduled = false;
      this.launch();
    };
    // By default setImmediate rather than a microtask: requests parsed in the same I/O phase join the batch.
    if (this.options.startAtOnce) queueMicrotask(launch);
    else setImmediate(launch);
  }

  private launch(): void {
    while (this.running < this.maxConcurrent && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      this.running += 1;
      void this.runBatch(batch).finally(() => {
        this.running -= 1;
        // What came while this batch ran goes at once: it has waited for company long enough.
        this.launch();
      });
    }
  }

  private async runBatch(batch: Pending<T, R>[]): Promise<void> {
    let results: R[];
    try {
      results = await this.run(batch.map((p) => p.item));
      if (results.length !== batch.length) throw new Error(`A batch of ${batch.length} returned ${results.length} results.`);
    } catch (error) {
      if (this.options.isolateFailures && batch.length > 1) {
        for (const one of batch) await this.runBatch([one]);
        return;
      }
      for (const p of batch) p.reject(error);
      return;
    }
    batch.forEach((p, i) => p.resolve(results[i]!));
  }
}
