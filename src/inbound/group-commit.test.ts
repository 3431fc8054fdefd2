import { describe, expect, it } from 'vitest';
import { GroupCommit } from './group-commit.js';

/** A commit that records its batches and can be held open, to see what joins which batch. */
function recorder() {
  const batches: number[][] = [];
  let release: (() => void) | null = null;
  let hold = false;
  const commit = async (items: number[]) => {
    batches.push(items);
    if (hold) await new Promise<void>((resolve) => (release = resolve));
    if (items.includes(-1)) throw new Error('the database refused');
    return items.map((i) => i * 10);
  };
  return {
    batches,
    commit,
    holdNext: () => (hold = true),
    release: () => {
      hold = false;
      release?.();
    },
  };
}

describe('GroupCommit', () => {
  it('commits everything added in the same turn of the event loop at once, and answers each with its own result', async () => {
    const r = recorder();
    const group = new GroupCommit(r.commit, { maxBatch: 100 });
    const results = await Promise.all([1, 2, 3].map((i) => group.add(i)));
    expect(results).toEqual([10, 20, 30]);
    expect(r.batches).toEqual([[1, 2, 3]]);
  });

  it('answers nobody before the commit holding their item is done; what arrives meanwhile goes into the next commit', async () => {
    const r = recorder();
    const group = new GroupCommit(r.commit, { maxBatch: 100 });
    r.holdNext();
    const answered: number[] = [];
    const first = [1, 2].map((i) => group.add(i).then((v) => answered.push(v)));
    await new Promise((resolve) => setImmediate(resolve));
    expect(r.batches).toEqual([[1, 2]]);
    const later = [3, 4].map((i) => group.add(i).then((v) => answered.push(v)));
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(answered).toEqual([]);
    r.release();
    await Promise.all([...first, ...later]);
    expect(answered).toEqual([10, 20, 30, 40]);
    expect(r.batches).toEqual([[1, 2], [3, 4]]);
  });

  it('takes at most maxBatch items per commit, in the order they were added', async () => {
    const r = recorder();
    const group = new GroupCommit(r.commit, { maxBatch: 2 });
    await Promise.all([1, 2, 3, 4, 5].map((i) => group.add(i)));
    expect(r.batches).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('rejects every item of a failed commit, and only those', async () => {
    const r = recorder();
    const group = new GroupCommit(r.commit, { maxBatch: 2 });
    const outcomes = await Promise.allSettled([1, -1, 3].map((i) => group.add(i)));
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'fulfilled']);
    expect(await group.add(4)).toBe(40);
  });

  it('tells when nothing is waiting or being written', async () => {
    const r = recorder();
    const group = new GroupCommit(r.commit, { maxBatch: 100 });
    r.holdNext();
    const pending = group.add(1);
    let idle = false;
    const waiting = group.idle().then(() => (idle = true));
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(idle).toBe(false);
    r.release();
    await Promise.all([pending, waiting]);
    expect(idle).toBe(true);
  });
});
