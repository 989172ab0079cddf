import { describe, expect, it } from 'vitest';
import { GroupCommitQueue } from './group-commit-queue';

describe('GroupCommitQueue', () => {
  it('commits everything that arrived while idle in one flush, up to the weight limit', async () => {
    const flushes: number[][] = [];
    const queue = new GroupCommitQueue<number>((items) => void flushes.push(items), 5);
    await Promise.all([1, 2, 3, 4, 5, 6, 7].map((n) => queue.submit(n, 2)));
    expect(flushes).toEqual([[1, 2], [3, 4], [5, 6], [7]]);
  });

  it('flushes what accumulated during a slow flush as the next batch, without waiting to fill', async () => {
    const flushes: number[][] = [];
    const queue = new GroupCommitQueue<number>(async (items) => {
      flushes.push(items);
      await new Promise((r) => setTimeout(r, 20));
    }, 1000);
    const first = queue.submit(1, 1);
    await new Promise((r) => setTimeout(r, 5));
    await Promise.all([first, queue.submit(2, 1), queue.submit(3, 1)]);
    expect(flushes).toEqual([[1], [2, 3]]);
  });

  it('fails only the bad item of a failed batch', async () => {
    const committed: number[] = [];
    const queue = new GroupCommitQueue<number>((items) => {
      if (items.includes(13)) throw new Error('unlucky');
      committed.push(...items);
    }, 100);
    const results = await Promise.allSettled([12, 13, 14].map((n) => queue.submit(n, 1)));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(committed).toEqual([12, 14]);
  });
});
