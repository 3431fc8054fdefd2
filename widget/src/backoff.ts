// When to try the connection again: exponential backoff with jitter, so a restarted server is not hit by every
// visitor at the same instant, and bounded, so a visitor back from a tunnel waits seconds, not minutes.

export const BASE_DELAY_MS = 1000;
export const MAX_DELAY_MS = 30_000;

/** `attempt` counts failures since the last good connection (0 for the first retry); `random` is in [0, 1). */
export function reconnectDelay(attempt: number, random: number = Math.random()): number {
  const ceiling = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** Math.min(Math.max(attempt, 0), 16));
  // "Equal jitter": never less than half the ceiling, so retries still spread out as failures continue.
  return Math.round(ceiling / 2 + (ceiling / 2) * random);
}
