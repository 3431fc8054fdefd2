import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.js';

describe('backoffDelay', () => {
  const policy = { baseMs: 1_000, maxMs: 60_000 };

  it('doubles the window each attempt, keeping its upper half', () => {
    expect([1, 2, 3, 4].map((attempt) => backoffDelay(attempt, { policy, random: () => 0 }))).toEqual([500, 1_000, 2_000, 4_000]);
    expect([1, 2, 3, 4].map((attempt) => backoffDelay(attempt, { policy, random: () => 1 }))).toEqual([1_000, 2_000, 4_000, 8_000]);
  });

  it('stops growing at maxMs, even after very many attempts', () => {
    expect(backoffDelay(7, { policy, random: () => 1 })).toBe(60_000);
    expect(backoffDelay(10_000, { policy, random: () => 0.5 })).toBe(45_000);
  });

  it('spreads retries of jobs that failed together', () => {
    const delays = new Set(Array.from({ length: 50 }, () => backoffDelay(5, { policy })));
    expect(delays.size).toBeGreaterThan(40);
    for (const delay of delays) expect(delay).toBeGreaterThanOrEqual(8_000);
  });

  it('never retries sooner than the provider asked', () => {
    expect(backoffDelay(1, { policy, retryAfterMs: 30_000, random: () => 1 })).toBe(30_000);
    expect(backoffDelay(1, { policy, retryAfterMs: 10, random: () => 0 })).toBe(500);
  });
});
