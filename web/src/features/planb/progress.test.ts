import { describe, expect, it } from 'vitest';
import { isMoving, outcomeShares, settled } from './progress';

describe('broadcast progress', () => {
  it('splits the bar by outcome without going over 100 %', () => {
    const shares = outcomeShares({ total: 3, sent: 1, delivered: 1, failed: 1, pending: 0 });
    expect(shares.map((s) => s.outcome)).toEqual(['delivered', 'sent', 'failed', 'pending']);
    expect(shares.reduce((sum, s) => sum + s.percent, 0)).toBeLessThanOrEqual(100);
    expect(shares[0]!.percent).toBeCloseTo(33.3);
  });

  it('shows an empty bar for an empty audience', () => {
    expect(outcomeShares({ total: 0, sent: 0, delivered: 0, failed: 0, pending: 0 }).every((s) => s.percent === 0)).toBe(true);
  });

  it('counts what is settled and knows when to keep polling', () => {
    const counts = { total: 10, sent: 2, delivered: 5, failed: 1, pending: 2 };
    expect(settled(counts)).toBe(8);
    expect(isMoving('running', counts)).toBe(true);
    expect(isMoving('paused', counts)).toBe(false);
    expect(isMoving('cancelled', counts)).toBe(true);
    expect(isMoving('completed', { ...counts, pending: 0 })).toBe(false);
  });
});
