import { describe, expect, it } from 'vitest';
import { Batcher } from './batching.js';

describe('Batcher', () => {
  it('handles the items submitted in the same turn together, each caller getting its own result', async () => {
    const batches: number[][] = [];
    const batcher = new Batcher<number, number>(async (items) => {
      batches.push(items);
      return items.map((n) => n * 10);
    });
    const results = await Promise.all([1, 2, 3].map((n) => batcher.submit(n)));
    expect(results).toEqual([10, 20, 30]);
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it('collects what arrives while a batch is being written into the next one, one batch at a time', async () => {
    const batches: number[][] = [];
    let running = 0;
    let release: () => void = () => {};
    const batcher = new Batcher<number, number>(async (items) => {
      running += 1;
      expect(running).toBe(1);
      batches.push(items);
      if (batches.length === 1) await new Promise<void>((resolve) => (release = resolve));
      running -= 1;
      return items;
    });
    const first = batcher.submit(1);
    await new Promise((resolve) => setImmediate(resolve));
    const later = [batcher.submit(2), batcher.submit(3)];
    expect(batcher.waiting).toBe(2);
    release();
    expect(await Promise.all([first, ...later])).toEqual([1, 2, 3]);
    expect(batches).toEqual([[1], [2, 3]]);
  });

  it('splits batches at maxBatch', async () => {
    const sizes: number[] = [];
    const batcher = new Batcher<number, number>(
      async (items) => {
        sizes.push(items.length);
        return items;
      },
      { maxBatch: 2 },
    );
    await Promise.all([1, 2, 3, 4, 5].map((n) => batcher.submit(n)));
    expect(sizes).toEqual([2, 2, 1]);
  });

  it('fails every caller of a failed batch, or with isolateFailures only the item that fails alone', async () => {
    const failing = new Batcher<number, number>(async (items) => {
      if (items.includes(2)) throw new Error('bad item');
      return items;
    });
    const plain = await Promise.allSettled([1, 2].map((n) => failing.submit(n)));
    expect(plain.map((r) => r.status)).toEqual(['rejected', 'rejected']);

    const isolating = new Batcher<number, number>(
      async (items) => {
        if (items.includes(2)) throw new Error('bad item');
        return items;
      },
      { isolateFailures: true },
    );
    const isolated = await Promise.allSettled([1, 2, 3].map((n) => isolating.submit(n)));
    expect(isolated.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });

  it('with startAtOnce, starts without waiting for the next turn of the event loop', async () => {
    const order: string[] = [];
    const batcher = new Batcher<number, number>(
      async (items) => {
        order.push(`batch ${items.join(',')}`);
        return items;
      },
      { startAtOnce: true },
    );
    const immediate = new Promise<void>((resolve) => setImmediate(() => resolve(void order.push('immediate'))));
    await Promise.all([batcher.submit(1), batcher.submit(2), immediate]);
    expect(order).toEqual(['batch 1,2', 'immediate']);
  });

  it('rejects a batch that returns the wrong number of results', async () => {
    const batcher = new Batcher<number, number>(async () => [1]);
    await expect(Promise.all([batcher.submit(1), batcher.submit(2)])).rejects.toThrow(/returned 1 results/);
  });
});

describe('Batcher with maxConcurrent', () => {
  it('runs up to that many batches side by side, then batches what waits', async () => {
    let running = 0;
    let most = 0;
    const batches: number[][] = [];
    const gates: (() => void)[] = [];
    const batcher = new Batcher<number, number>(
      async (items) => {
        running += 1;
        most = Math.max(most, running);
        batches.push(items);
        await new Promise<void>((resolve) => gates.push(resolve));
        running -= 1;
        return items;
      },
      { maxConcurrent: 2 },
    );
    const first = batcher.submit(1);
    await new Promise((resolve) => setImmediate(resolve));
    const second = batcher.submit(2);
    await new Promise((resolve) => setImmediate(resolve));
    const rest = [3, 4, 5].map((n) => batcher.submit(n));
    await new Promise((resolve) => setImmediate(resolve));
    expect(batches).toEqual([[1], [2]]);
    gates.shift()!();
    await first;
    await new Promise((resolve) => setImmediate(resolve));
    expect(batches).toEqual([[1], [2], [3, 4, 5]]);
    while (gates.length > 0) gates.shift()!();
    expect(await Promise.all([second, ...rest])).toEqual([2, 3, 4, 5]);
    expect(most).toBe(2);
  });
});
