// How long to wait before a failed job's next attempt: exponential backoff with jitter, so that jobs which failed
// together (a provider outage) do not all retry in the same instant, and never sooner than the provider asked.

export interface BackoffPolicy {
  /** Delay around the first retry. */
  baseMs: number;
  /** The exponential stops growing here. */
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1_000, maxMs: 10 * 60_000 };

/**
 * The delay after failed attempt number `attempt` (1 for the first): "equal jitter", a random point in the upper
 * half of min(maxMs, baseMs · 2^(attempt-1)). Half the window is kept as a floor so a retry never comes right away;
 * the random half spreads retries out. `retryAfterMs`, when the provider sent one, is a lower bound.
 */
export function backoffDelay(attempt: number, options: { policy?: BackoffPolicy; retryAfterMs?: number | null; random?: () => number } = {}): number {
  const { baseMs, maxMs } = options.policy ?? DEFAULT_BACKOFF;
  const random = options.random ?? Math.random;
  const exponent = Math.max(0, Math.floor(attempt) - 1);
  const window = Math.min(maxMs, baseMs * 2 ** Math.min(exponent, 52));
  const delay = Math.round(window / 2 + random() * (window / 2));
  return Math.max(delay, options.retryAfterMs ?? 0);
}
