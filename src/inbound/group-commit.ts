// Group commit: callers hand in items one by one and each waits for the commit that holds its item; items that
// arrive while a commit is being written go into the next one. A burst of webhooks then costs one transaction
// (one WAL write on SQLite, one round of round trips on PostgreSQL) instead of one each, and nobody is answered
// before their item is durable.

export interface GroupCommitOptions {
  /** The most items one commit takes; the rest wait for the next. */
  maxBatch: number;
}

interface Waiting<In, Out> {
  item: In;
  resolve(result: Out): void;
  reject(error: unknown): void;
}

export class GroupCommit<In, Out> {
  private waiting: Waiting<In, Out>[] = [];
  private scheduled = false;
  private running: Promise<void> | null = null;

  /** `commit` writes all its items in one transaction and returns one result per item, in order. */
  constructor(
    private readonly commit: (items: In[]) => Promise<Out[]>,
    private readonly options: GroupCommitOptions,
  ) {}

  /** Resolves with the item's result once the commit holding it is done; rejects if that commit failed. */
  add(item: In): Promise<Out> {
    return new Promise<Out>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /** Resolves once nothing is waiting or being written. */
  async idle(): Promise<void> {
    while (this.running || this.scheduled || this.waiting.length > 0) {
      await (this.running ?? new Promise((resolve) => setImmediate(resolve)));
    }
  }

  private schedule(): void {
    if (this.scheduled || this.running) return;
    this.scheduled = true;
    // After the I/O callbacks of this turn of the event loop: every request that arrived with this one joins it.
    setImmediate(() => {
      this.scheduled = false;
      this.running = this.drain().finally(() => {
        this.running = null;
        if (this.waiting.length > 0) this.schedule();
      });
    });
  }

  private async drain(): Promise<void> {
    while (this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.options.maxBatch);
      let results: Out[];
      try {
        results = await this.commit(batch.map((w) => w.item));
      } catch (error) {
        for (const w of batch) w.reject(error);
        continue;
      }
      batch.forEach((w, i) => w.resolve(results[i]!));
    }
  }
}
