import { describe, expect, it } from 'vitest';
import { powerOfTwoChunks } from './database.js';

describe('powerOfTwoChunks', () => {
  it('cuts a list into power-of-two chunks, largest first, keeping the order', () => {
    const items = Array.from({ length: 13 }, (_, i) => i);
    const chunks = powerOfTwoChunks(items, 8);
    expect(chunks.map((c) => c.length)).toEqual([8, 4, 1]);
    expect(chunks.flat()).toEqual(items);
  });

  it('never exceeds the largest size, and gives nothing for nothing', () => {
    expect(powerOfTwoChunks(Array.from({ length: 300 }), 128).map((c) => c.length)).toEqual([128, 128, 32, 8, 4]);
    expect(powerOfTwoChunks([], 64)).toEqual([]);
    expect(powerOfTwoChunks([1], 100).map((c) => c.length)).toEqual([1]);
  });
});
