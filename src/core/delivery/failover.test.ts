import { describe, expect, it } from 'vitest';
import type { ErrorCategory } from '../../channels/types.js';
import { backoffDelay, decideAfterFailure, decideOnTimeout, isPermanent, nextReceiptDeadline } from './failover.js';

// Every category, checked by the compiler against ErrorCategory (this core imports channel code for types only).
const CATEGORY_SET: Record<ErrorCategory, true> = {
  transient: true,
  rate_limited: true,
  invalid_recipient: true,
  recipient_blocked: true,
  account_restricted: true,
  policy_window: true,
  auth: true,
  unknown: true,
};
const ERROR_CATEGORIES = Object.keys(CATEGORY_SET) as ErrorCategory[];

const fixed = (value: number) => () => value;
const PERMANENT: ErrorCategory[] = ['invalid_recipient', 'recipient_blocked', 'account_restricted', 'policy_window', 'auth'];

describe('isPermanent', () => {
  it('is true exactly for the categories that retrying cannot fix', () => {
    expect(ERROR_CATEGORIES.filter(isPermanent)).toEqual(PERMANENT);
  });
});

describe('decideAfterFailure', () => {
  it.each(PERMANENT)('goes to the next channel at once on %s, even on the first attempt', (category) => {
    expect(decideAfterFailure({ category, attemptsOnChannel: 1, random: fixed(0.5) })).toEqual({ action: 'next', reason: 'permanent' });
  });

  it('retries transient errors with exponential backoff and full jitter', () => {
    const backoff = { baseMs: 1000, maxMs: 60_000 };
    const delays = [1, 2, 3].map((attemptsOnChannel) => decideAfterFailure({ category: 'transient', attemptsOnChannel, backoff, random: fixed(0.5) }));
    expect(delays).toEqual([
      { action: 'retry', delayMs: 500 },
      { action: 'retry', delayMs: 1000 },
      { action: 'retry', delayMs: 2000 },
    ]);
  });

  it('spreads the delay over the whole range with the random number', () => {
    const at = (r: number) => decideAfterFailure({ category: 'transient', attemptsOnChannel: 3, backoff: { baseMs: 1000, maxMs: 60_000 }, random: fixed(r) });
    expect(at(0)).toEqual({ action: 'retry', delayMs: 0 });
    expect(at(0.999)).toEqual({ action: 'retry', delayMs: 3996 });
  });

  it('caps the delay at maxMs', () => {
    expect(decideAfterFailure({ category: 'rate_limited', attemptsOnChannel: 3, retryBudget: 10, backoff: { baseMs: 1000, maxMs: 3000 }, random: fixed(0.99) })).toEqual({
      action: 'retry',
      delayMs: 2970,
    });
  });

  it('uses 1 s doubling up to 30 s by default', () => {
    expect(decideAfterFailure({ category: 'transient', attemptsOnChannel: 1, random: fixed(0.5) })).toEqual({ action: 'retry', delayMs: 500 });
    expect(backoffDelay(10, { baseMs: 1000, maxMs: 30_000 }, fixed(0.5))).toBe(15_000);
  });

  it("honours the provider's retry-after as a floor", () => {
    expect(decideAfterFailure({ category: 'rate_limited', retryAfterSec: 7, attemptsOnChannel: 1, random: fixed(0.5) })).toEqual({ action: 'retry', delayMs: 7000 });
    // A backoff longer than the floor wins.
    expect(
      decideAfterFailure({ category: 'rate_limited', retryAfterSec: 1, attemptsOnChannel: 3, backoff: { baseMs: 1000, maxMs: 60_000 }, random: fixed(0.9) }),
    ).toEqual({ action: 'retry', delayMs: 3600 });
  });

  it('moves on when the provider asks for a longer wait than is worth sitting out', () => {
    expect(decideAfterFailure({ category: 'rate_limited', retryAfterSec: 24 * 3600, attemptsOnChannel: 1, random: fixed(0.5) })).toEqual({
      action: 'next',
      reason: 'retry_after_too_long',
    });
    expect(decideAfterFailure({ category: 'rate_limited', retryAfterSec: 60, attemptsOnChannel: 1, random: fixed(0.5) })).toEqual({ action: 'retry', delayMs: 60_000 });
    expect(decideAfterFailure({ category: 'rate_limited', retryAfterSec: 90, attemptsOnChannel: 1, maxRetryAfterMs: 120_000, random: fixed(0) })).toEqual({
      action: 'retry',
      delayMs: 90_000,
    });
  });

  it('goes to the next channel once the retry budget is spent', () => {
    const decide = (attemptsOnChannel: number) => decideAfterFailure({ category: 'transient', attemptsOnChannel, random: fixed(0.5) }).action;
    // The first attempt plus three retries.
    expect([1, 2, 3, 4, 5].map(decide)).toEqual(['retry', 'retry', 'retry', 'next', 'next']);
    expect(decideAfterFailure({ category: 'transient', attemptsOnChannel: 4, random: fixed(0.5) })).toEqual({ action: 'next', reason: 'retries_exhausted' });
  });

  it('takes the budget as a parameter; 0 means no retries', () => {
    expect(decideAfterFailure({ category: 'transient', attemptsOnChannel: 1, retryBudget: 0, random: fixed(0.5) }).action).toBe('next');
    expect(decideAfterFailure({ category: 'transient', attemptsOnChannel: 5, retryBudget: 5, random: fixed(0.5) }).action).toBe('retry');
  });

  it('retries unknown errors once by default, or within their own budget', () => {
    expect(decideAfterFailure({ category: 'unknown', attemptsOnChannel: 1, random: fixed(0.5) }).action).toBe('retry');
    expect(decideAfterFailure({ category: 'unknown', attemptsOnChannel: 2, random: fixed(0.5) })).toEqual({ action: 'next', reason: 'retries_exhausted' });
    expect(decideAfterFailure({ category: 'unknown', attemptsOnChannel: 3, unknownRetryBudget: 3, random: fixed(0.5) }).action).toBe('retry');
  });

  it('keeps a random number outside [0, 1] from producing a delay outside the range', () => {
    expect(backoffDelay(0, { baseMs: 1000, maxMs: 5000 }, fixed(-1))).toBe(0);
    expect(backoffDelay(0, { baseMs: 1000, maxMs: 5000 }, fixed(7))).toBe(1000);
    expect(backoffDelay(5000, { baseMs: 1000, maxMs: 5000 }, fixed(0.5))).toBe(2500);
  });
});

describe('receipt timeouts', () => {
  const policy = { deliveryTimeoutSec: 300, readTimeoutSec: null };

  it('waits for the delivery receipt until deliveryTimeoutSec after acceptance', () => {
    expect(nextReceiptDeadline(1_000, 'sent', policy)).toEqual({ timeout: 'delivery', at: 301_000 });
    expect(nextReceiptDeadline(1_000, 'delivered', policy)).toBeNull();
    expect(nextReceiptDeadline(1_000, 'sent', { deliveryTimeoutSec: null, readTimeoutSec: null })).toBeNull();
  });

  it('waits for the read receipt when readTimeoutSec is set, the earlier deadline first', () => {
    const both = { deliveryTimeoutSec: 300, readTimeoutSec: 3600 };
    expect(nextReceiptDeadline(0, 'sent', both)).toEqual({ timeout: 'delivery', at: 300_000 });
    expect(nextReceiptDeadline(0, 'delivered', both)).toEqual({ timeout: 'read', at: 3_600_000 });
    expect(nextReceiptDeadline(0, 'read', both)).toBeNull();
    expect(nextReceiptDeadline(0, 'sent', { deliveryTimeoutSec: 600, readTimeoutSec: 60 })).toEqual({ timeout: 'read', at: 60_000 });
  });

  it('goes to the next channel when the awaited receipt has not come', () => {
    expect(decideOnTimeout('delivery', 'sent')).toEqual({ action: 'next', reason: 'delivery_timeout' });
    expect(decideOnTimeout('read', 'sent')).toEqual({ action: 'next', reason: 'read_timeout' });
    expect(decideOnTimeout('read', 'delivered')).toEqual({ action: 'next', reason: 'read_timeout' });
  });

  it('does nothing when the receipt won the race with the timer', () => {
    expect(decideOnTimeout('delivery', 'delivered')).toEqual({ action: 'none' });
    expect(decideOnTimeout('delivery', 'read')).toEqual({ action: 'none' });
    expect(decideOnTimeout('read', 'read')).toEqual({ action: 'none' });
  });
});
