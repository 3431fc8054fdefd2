import { describe, expect, it } from 'vitest';
import { FrameBudget } from './budget.js';

describe('FrameBudget', () => {
  it('allows a burst up to its capacity, then refills with time', () => {
    const budget = new FrameBudget(3, 1, 0);
    expect([budget.take(0), budget.take(0), budget.take(0), budget.take(0)]).toEqual([true, true, true, false]);
    expect(budget.take(500)).toBe(false);
    expect(budget.take(1600)).toBe(true);
    expect(budget.take(1600)).toBe(false);
  });

  it('never saves up more than its capacity', () => {
    const budget = new FrameBudget(2, 1, 0);
    const taken = [0, 1, 2].map(() => budget.take(60_000));
    expect(taken).toEqual([true, true, false]);
  });
});
