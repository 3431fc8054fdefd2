// How many frames a visitor socket may send: a token bucket, so a burst (the outbox flushing after a reconnect) is
// fine and a script flooding the inbox is cut off.

export class FrameBudget {
  private tokens: number;
  private last: number;

  constructor(
    private readonly capacity = 60,
    private readonly refillPerSec = 2,
    now = Date.now(),
  ) {
    this.tokens = capacity;
    this.last = now;
  }

  /** Takes one token; false when the socket has spent its budget. */
  take(now = Date.now()): boolean {
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.refillPerSec);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
