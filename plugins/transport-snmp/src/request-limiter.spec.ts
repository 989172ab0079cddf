import { describe, expect, it } from 'vitest';
import { RequestLimiter } from './request-limiter';

describe('RequestLimiter', () => {
  it('runs at most `limit` exchanges at once, the rest in order of arrival, and frees slots on failure too', async () => {
    const limiter = new RequestLimiter(2);
    const started: number[] = [];
    const finish = new Map<number, (fail: boolean) => void>();
    const runs = [0, 1, 2, 3, 4].map((n) =>
      limiter.run(
        () =>
          new Promise<number>((resolve, reject) => {
            started.push(n);
            finish.set(n, (fail) => (fail ? reject(new Error(`failed ${n}`)) : resolve(n)));
          }),
      ),
    );
    await Promise.resolve();
    expect([started, limiter.inFlight, limiter.queued]).toEqual([[0, 1], 2, 3]);
    finish.get(1)!(true);
    await expect(runs[1]).rejects.toThrow('failed 1');
    expect(started).toEqual([0, 1, 2]);
    finish.get(0)!(false);
    finish.get(2)!(false);
    await Promise.all([runs[0], runs[2]]);
    expect(started).toEqual([0, 1, 2, 3, 4]);
    finish.get(3)!(false);
    finish.get(4)!(false);
    expect(await Promise.all([runs[3], runs[4]])).toEqual([3, 4]);
    expect([limiter.inFlight, limiter.queued]).toEqual([0, 0]);
  });
});
