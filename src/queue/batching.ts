// Group commit: callers submit one item each and await its own result, while the items submitted in the same turn
// of the event loop (and those that arrive while a batch is being written) are handled together, in one
// transaction or one query. Per-message code stays per-message; the database sees a few statements per batch
// instead of a few per message. One batch runs at a time, which suits SQLite's single writer and keeps the order
// of batches the order of submission.

export interface BatcherOptions {
  /** Items per batch at most; the rest wait for the next one. Default 256. */
  maxBatch?: number;
  /**
   * When a batch fails, run its items again one at a time, so that one bad item (a unique key lost to another
   * process, a row deleted meanwhile) fails alone instead of failing every caller in its batch. Only for work
   * that is safe to repeat after a rollback.
   */
  isolateFailures?: boolean;
}

interface Pending<T, R> {
  item: T;
  resolve: (value: R) => void;
  reject: (error: unknown) => void;
}

export class Batcher<T, R> {
  private queue: Pending<T, R>[] = [];
  private draining = false;
  private readonly maxBatch: number;

  /** `run` gets the items of one batch and returns one result per item, in the same order. */
  constructor(
    private readonly run: (items: T[]) => Promise<R[]>,
    private readonly options: BatcherOptions = {},
  ) {
    this.maxBatch = Math.max(1, options.maxBatch ?? 256);
  }

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.draining) {
        this.draining = true;
        // setImmediate rather than a microtask: requests parsed in the same I/O phase join the same batch.
        setImmediate(() => void this.drain());
      }
    });
  }

  /** Items waiting for a batch (not counting the one being written). */
  get waiting(): number {
    return this.queue.length;
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.maxBatch);
        await this.runBatch(batch);
      }
    } finally {
      this.draining = false;
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
