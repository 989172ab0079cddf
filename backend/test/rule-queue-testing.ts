import { testMsg } from '@edgewise/plugin-api/testing';
import { expect, it } from 'vitest';
import type { RuleQueue } from '../src/rule-engine/queue/rule-queue';
import type { QueuedMsg } from '../src/rule-engine/queued-msg';

/** Helpers shared by the unit tests of the rule-queue implementations (local and BullMQ). */

/** A queued message whose id is `name`, so that deliveries can be compared by name. */
export const namedMsg = (name: string): QueuedMsg => ({ tenantId: 'tenant-1', msg: testMsg({ id: name }) });

export const names = (pack: QueuedMsg[]): string[] => pack.map((queued) => queued.msg.id);

/** `prefix1` … `prefixN` for from = 1, to = N. */
export const range = (prefix: string, from: number, to: number): string[] =>
  Array.from({ length: to - from + 1 }, (_, i) => `${prefix}${from + i}`);

/** A promise the test settles by hand. */
export function deferred() {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `condition` until it holds; fails naming `what` after `withinMs`. */
export async function until(condition: () => boolean, what: string, withinMs = 10_000): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

/**
 * A consumer that records every pack it gets. After `hold()`, the next pack's handler waits until the test
 * calls `release()` (the pack is processed) or `fail()` (processing it failed).
 */
export function recorder() {
  const packs: string[][] = [];
  let gate: ReturnType<typeof deferred> | null = null;
  let held: ReturnType<typeof deferred> | null = null;
  return {
    packs,
    delivered: () => packs.flat(),
    hold: () => void (gate = deferred()),
    release: () => held?.resolve(),
    fail: (error: Error) => held?.reject(error),
    handler: async (pack: QueuedMsg[]) => {
      packs.push(names(pack));
      held = gate;
      gate = null;
      await held?.promise;
    },
  };
}

/**
 * The behaviours every RuleQueue implementation shares, as tests to call inside its `describe`. `open` gives
 * a new queue on the test's store (closed by the caller's cleanup), with at most `maxPackSize` messages a pack.
 */
export function ruleQueueContract(open: (options?: { maxPackSize?: number }) => RuleQueue): void {
  it('delivers in submission order, in packs of at most maxPackSize, one pack at a time', async () => {
    const queue = open({ maxPackSize: 4 });
    const consumer = recorder();
    let running = 0;
    let maxRunning = 0;
    queue.consume('Main', async (pack) => {
      maxRunning = Math.max(maxRunning, ++running);
      await sleep(2);
      await consumer.handler(pack);
      running--;
    });
    const expected = range('m', 1, 30);
    // Spread over several event-loop turns, so that the local queue makes several group commits.
    for (let i = 0; i < expected.length; i += 3) {
      await Promise.all(expected.slice(i, i + 3).map((name) => queue.submit('Main', namedMsg(name))));
    }
    await until(() => consumer.delivered().length === expected.length, 'every message');
    expect(consumer.delivered()).toEqual(expected);
    expect(Math.max(...consumer.packs.map((pack) => pack.length))).toBeLessThanOrEqual(4);
    expect(maxRunning).toBe(1);
  });

  it('delivers a pack again when its handler fails', async () => {
    const queue = open();
    const consumer = recorder();
    consumer.hold();
    queue.consume('Main', consumer.handler);
    await Promise.all(['a', 'b'].map((name) => queue.submit('Main', namedMsg(name))));
    await until(() => consumer.packs.length === 1, 'the pack');
    consumer.fail(new Error('the database went away'));
    await until(() => consumer.packs.length === 2, 'the pack again');
    expect(consumer.packs).toEqual([
      ['a', 'b'],
      ['a', 'b'],
    ]);
  });

  it('keeps queues independent: a busy queue does not hold up another, and each gets only its own messages', async () => {
    const queue = open();
    const main = recorder();
    const high = recorder();
    main.hold();
    queue.consume('Main', main.handler);
    queue.consume('HighPriority', high.handler);
    await queue.submit('Main', namedMsg('main1'));
    await until(() => main.packs.length === 1, 'Main busy');
    await Promise.all([
      queue.submit('Main', namedMsg('main2')),
      queue.submit('HighPriority', namedMsg('hp1')),
      queue.submit('HighPriority', namedMsg('hp2')),
    ]);
    await until(() => high.delivered().length === 2, 'HighPriority messages');
    expect(high.delivered()).toEqual(['hp1', 'hp2']);
    expect(main.delivered()).toEqual(['main1']);
    expect(await queue.lag('Main')).toBe(1);
    main.release();
    await until(() => main.delivered().length === 2, 'Main again');
    expect(main.delivered()).toEqual(['main1', 'main2']);
  });

  it('refuses submissions once closed, saying why', async () => {
    const queue = open();
    await queue.close();
    await expect(queue.submit('Main', namedMsg('late'))).rejects.toThrow('the rule engine is stopping');
  });
}
