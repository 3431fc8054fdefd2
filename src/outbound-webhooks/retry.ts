// What happens after a webhook attempt: pure decisions on the attempt's result, the delivery's age and the endpoint's
// failure streak. A 2xx answer is success; anything else (another status, a redirect, a timeout, a refused or reset
// connection) is retried with exponential backoff and jitter for about a day, then the delivery is dead. An endpoint
// that has failed every attempt for `disableAfterMs` is disabled, so a receiver gone for good stops costing work.
import { type BackoffPolicy, backoffDelay } from '../queue/backoff.js';

/** What one POST to an endpoint came to. */
export type AttemptResult =
  | { kind: 'response'; status: number; location?: string | null; bodySnippet?: string }
  | { kind: 'timeout'; afterMs: number }
  | { kind: 'network'; code: string | null; message: string }
  | { kind: 'refused_destination'; message: string };

export interface RetryPolicy {
  backoff: BackoffPolicy;
  /** Retries stop once the next one would come later than this after the delivery was queued (or retried by hand). */
  windowMs: number;
  /** An endpoint whose attempts have all failed for this long is disabled. */
  disableAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  // 10 s, 20 s, 40 s … doubling up to an hour between attempts: about 35 attempts over the day.
  backoff: { baseMs: 10_000, maxMs: 60 * 60_000 },
  windowMs: 24 * 60 * 60_000,
  disableAfterMs: 3 * 24 * 60 * 60_000,
};

export const succeeded = (result: AttemptResult): boolean => result.kind === 'response' && result.status >= 200 && result.status < 300;

export type NextStep = { type: 'retry'; at: number } | { type: 'dead' };

/** After failed attempt number `attempts` (1 for the first) of a delivery whose retry window opened at `windowStart`. */
export function nextStep(input: { attempts: number; windowStart: number; now: number; policy: RetryPolicy; random?: () => number }): NextStep {
  const at = input.now + backoffDelay(input.attempts, { policy: input.policy.backoff, random: input.random });
  return at - input.windowStart > input.policy.windowMs ? { type: 'dead' } : { type: 'retry', at };
}

/** True when an endpoint failing since `failingSince` (null: its last attempt succeeded) should now be disabled. */
export function shouldDisable(failingSince: number | null, now: number, policy: RetryPolicy): boolean {
  return failingSince !== null && now - failingSince >= policy.disableAfterMs;
}

/** The failure in words for the delivery log: what the receiver did and, where it helps, what to change. */
export function describeFailure(result: AttemptResult): string {
  switch (result.kind) {
    case 'response': {
      if (result.status >= 300 && result.status < 400) {
        const to = result.location ? ` to ${result.location}` : '';
        return `The receiver answered ${result.status} (a redirect${to}). Redirects are not followed: set the endpoint URL to the final address.`;
      }
      const snippet = result.bodySnippet?.trim();
      return `The receiver answered HTTP ${result.status}${snippet ? `: ${snippet}` : ''}. Only a 2xx answer counts as received.`;
    }
    case 'timeout':
      return `No answer within ${Math.round(result.afterMs / 1000)} s. Answer with 2xx at once and do slow work after.`;
    case 'network':
      return result.code === 'ECONNREFUSED'
        ? 'The connection was refused: nothing is listening at that address and port.'
        : result.code === 'ENOTFOUND'
          ? 'The host name does not resolve: check the endpoint URL.'
          : `Could not reach the receiver: ${result.message}`;
    case 'refused_destination':
      return result.message;
  }
}
