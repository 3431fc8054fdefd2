import { describe, expect, it } from 'vitest';
import { DEFAULT_HEAP_GROWTH_PERCENT, heapGrowthPercent } from './heap-growth.js';

describe('heapGrowthPercent', () => {
  it('bounds growth by default', () => {
    expect(heapGrowthPercent({}, [])).toBe(DEFAULT_HEAP_GROWTH_PERCENT);
  });

  it('takes the operator\'s percentage, and 0 as V8\'s own behaviour', () => {
    expect(heapGrowthPercent({ LIFELINE_HEAP_GROWTH_PERCENT: '60' }, [])).toBe(60);
    expect(heapGrowthPercent({ LIFELINE_HEAP_GROWTH_PERCENT: '0' }, [])).toBeNull();
  });

  it('leaves a flag given to node itself alone', () => {
    expect(heapGrowthPercent({}, ['--heap-growing-percent=80'])).toBeNull();
    expect(heapGrowthPercent({ NODE_OPTIONS: '--heap_growing_percent=80' }, [])).toBeNull();
  });

  it('says what is wrong with a bad value', () => {
    expect(() => heapGrowthPercent({ LIFELINE_HEAP_GROWTH_PERCENT: 'lots' }, [])).toThrow(/whole number from 0/);
    expect(() => heapGrowthPercent({ LIFELINE_HEAP_GROWTH_PERCENT: '-5' }, [])).toThrow(/whole number from 0/);
  });
});
