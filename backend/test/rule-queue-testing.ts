import { testMsg } from '@edgewise/plugin-api/testing';
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
