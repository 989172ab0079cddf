import { setTimeout as sleep } from 'node:timers/promises';
import type { SubmitStrategyType } from '../queues/queue.entity';
import type { QueueConfig } from '../queues/queue.json';
import { MsgTracker } from './msg-tracker';
import type { QueuedMsg } from './queued-msg';

/** How a queue hands its messages to the chains and what it does about failures (ThingsBoard's Queue). */
export type QueueProcessingSettings = Pick<QueueConfig, 'name' | 'packProcessingTimeout' | 'submitStrategy' | 'processingStrategy'>;

/** Counters per queue since start. */
export interface QueueStats {
  processed: number;
  failed: number;
  timedOut: number;
  retried: number;
  /** Packs finished. */
  packs: number;
}

/** Starts one message on the chains; the tracker reports when every branch has ended. */
export type MsgStarter = (item: QueuedMsg, onDone: (tracker: MsgTracker) => void) => void;

interface AttemptResult {
  failed: QueuedMsg[];
  timedOut: QueuedMsg[];
}

/**
 * Processes one pack polled from a queue, as ThingsBoard's consumer does: submits its messages by the
 * queue's submit strategy, waits up to the pack timeout, then lets the processing strategy decide whether
 * to retry the failed / timed-out ones (after a growing pause) or to move on. Resolves when the pack may be
 * acknowledged on the queue.
 */
export class PackProcessor {
  readonly stats: QueueStats = { processed: 0, failed: 0, timedOut: 0, retried: 0, packs: 0 };

  constructor(
    private settings: QueueProcessingSettings,
    private readonly start: MsgStarter,
    private readonly onGiveUp: (items: QueuedMsg[], why: string) => void,
  ) {}

  /** Applies edited queue settings from the next pack on. */
  update(settings: QueueProcessingSettings): void {
    this.settings = settings;
  }

  async process(pack: QueuedMsg[]): Promise<void> {
    const { processingStrategy: strategy } = this.settings;
    let toProcess = pack;
    let pauseMs = strategy.pauseBetweenRetries * 1000;
    for (let attempt = 0; ; attempt++) {
      const result = await this.attempt(toProcess);
      const retry = this.toRetry(result, toProcess, pack.length, attempt);
      if (!retry.length) {
        this.stats.processed += toProcess.length - result.failed.length - result.timedOut.length;
        this.stats.failed += result.failed.length;
        this.stats.timedOut += result.timedOut.length;
        if (result.failed.length || result.timedOut.length) {
          this.onGiveUp([...result.failed, ...result.timedOut], `${result.failed.length} failed, ${result.timedOut.length} timed out`);
        }
        break;
      }
      this.stats.processed += toProcess.length - retry.length;
      this.stats.retried += retry.length;
      if (pauseMs > 0) await sleep(pauseMs);
      pauseMs = Math.min(pauseMs * 2, strategy.maxPauseBetweenRetries * 1000);
      toProcess = retry;
    }
    this.stats.packs++;
  }

  private toRetry(result: AttemptResult, attempted: QueuedMsg[], packSize: number, attempt: number): QueuedMsg[] {
    const { type, retries, failurePercentage } = this.settings.processingStrategy;
    if (!result.failed.length && !result.timedOut.length) return [];
    if (type === 'SKIP_ALL_FAILURES' || type === 'SKIP_ALL_FAILURES_AND_TIMED_OUT') return [];
    if (retries > 0 && attempt >= retries) return [];
    if (failurePercentage > 0 && ((result.failed.length + result.timedOut.length) / packSize) * 100 > failurePercentage) return [];
    switch (type) {
      case 'RETRY_ALL':
        return attempted;
      case 'RETRY_FAILED':
        return result.failed;
      case 'RETRY_TIMED_OUT':
        return result.timedOut;
      case 'RETRY_FAILED_AND_TIMED_OUT':
        return [...result.failed, ...result.timedOut];
    }
  }

  /** One pass over `items` by the submit strategy, bounded by the pack timeout. */
  private attempt(items: QueuedMsg[]): Promise<AttemptResult> {
    return new Promise((resolve) => {
      const failed: QueuedMsg[] = [];
      const pending = new Set<QueuedMsg>();
      const feeder = submitOrder(this.settings.submitStrategy.type, this.settings.submitStrategy.batchSize, items);
      let finished = false;
      const finish = () => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        resolve({ failed, timedOut: [...pending, ...feeder.remaining()] });
      };
      const onDone = (tracker: MsgTracker) => {
        if (finished) return;
        pending.delete(tracker.item);
        if (tracker.failure !== null) failed.push(tracker.item);
        for (const next of feeder.completed(tracker.item)) launch(next);
        if (pending.size === 0 && feeder.exhausted()) finish();
      };
      const launch = (item: QueuedMsg) => {
        pending.add(item);
        this.start(item, onDone);
      };
      const timer = setTimeout(finish, this.settings.packProcessingTimeout);
      for (const item of feeder.initial()) launch(item);
      if (pending.size === 0 && feeder.exhausted()) finish();
    });
  }
}

/** Which messages of a pass may start now, and which become startable as others complete. */
interface SubmitOrder {
  initial(): QueuedMsg[];
  completed(item: QueuedMsg): QueuedMsg[];
  exhausted(): boolean;
  /** Never started (counted as timed out when the pack times out). */
  remaining(): QueuedMsg[];
}

function submitOrder(type: SubmitStrategyType, batchSize: number, items: QueuedMsg[]): SubmitOrder {
  switch (type) {
    case 'BURST':
      return { initial: () => items, completed: () => [], exhausted: () => true, remaining: () => [] };
    case 'BATCH':
      return batches(items, Math.max(1, batchSize));
    case 'SEQUENTIAL':
      return batches(items, 1);
    case 'SEQUENTIAL_BY_ORIGINATOR':
      return sequentialBy(items, (item) => item.msg.originator.id);
    case 'SEQUENTIAL_BY_TENANT':
      return sequentialBy(items, (item) => item.tenantId);
  }
}

/** `size` at a time; the next batch starts when the whole previous one has completed. */
function batches(items: QueuedMsg[], size: number): SubmitOrder {
  let next = 0;
  let running = 0;
  const take = () => {
    const batch = items.slice(next, next + size);
    next += batch.length;
    running = batch.length;
    return batch;
  };
  return {
    initial: take,
    completed: () => (--running === 0 && next < items.length ? take() : []),
    exhausted: () => next >= items.length,
    remaining: () => items.slice(next),
  };
}

/** In order per key, one at a time per key; different keys run side by side. */
function sequentialBy(items: QueuedMsg[], keyOf: (item: QueuedMsg) => string): SubmitOrder {
  const queues = new Map<string, QueuedMsg[]>();
  for (const item of items) {
    const key = keyOf(item);
    const queue = queues.get(key);
    if (queue) queue.push(item);
    else queues.set(key, [item]);
  }
  let waiting = items.length - queues.size;
  return {
    initial: () => [...queues.values()].map((queue) => queue[0]),
    completed: (item) => {
      const queue = queues.get(keyOf(item))!;
      queue.shift();
      if (!queue.length) return [];
      waiting--;
      return [queue[0]];
    },
    exhausted: () => waiting === 0,
    remaining: () => [...queues.values()].flatMap((queue) => queue.slice(1)),
  };
}
