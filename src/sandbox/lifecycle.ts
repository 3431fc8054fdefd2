// Timers and cancellable work that must end when the sandbox closes. Pending work lives in a Set, so
// adding and finishing is O(1) even with 100k receipts waiting (an AbortSignal listener per timer would
// make each removal scan every listener).

export class SandboxClosedError extends Error {
  constructor() {
    super('The sandbox is closing.');
    this.name = 'SandboxClosedError';
  }
}

export class Lifecycle {
  private closed = false;
  private readonly onClose = new Set<() => void>();

  get isClosed(): boolean {
    return this.closed;
  }

  /** Resolves after `ms`; rejects with SandboxClosedError if the sandbox closes first. */
  delay(ms: number): Promise<void> {
    if (this.closed) return Promise.reject(new SandboxClosedError());
    return new Promise<void>((resolve, reject) => {
      const cancel = () => {
        clearTimeout(timer);
        reject(new SandboxClosedError());
      };
      const timer = setTimeout(() => {
        this.onClose.delete(cancel);
        resolve();
      }, ms);
      this.onClose.add(cancel);
    });
  }

  /** Runs `fn` on close unless the returned function is called first. */
  whenClosed(fn: () => void): () => void {
    if (this.closed) {
      fn();
      return () => {};
    }
    this.onClose.add(fn);
    return () => this.onClose.delete(fn);
  }

  close(): void {
    this.closed = true;
    const pending = [...this.onClose];
    this.onClose.clear();
    for (const fn of pending) fn();
  }
}
