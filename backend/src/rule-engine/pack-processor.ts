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

  /** Whether packs may overlap: only submit strategies that promise no order across messages allow it. */
  allowsParallelPacks(): boolean {
    const type = this.settings.submitStrategy.type;
    return type === 'BURST' || type === 'BATCH';
  }

  /** Applies edited queue settings from the next pack on. */
  update(settings: QueueProcessingSettings): void {
    this.settings = settings;
  }

  async process(pack: QueuedMsg[]): Promise<void> {
    let toProcess = pack;
    let pauseMs = this.settings.processingStrategy.pauseBetweenRetries * 1000;
    for (let attempt = 0; toProcess.length; attempt++) {
      const result = await this.attempt(toProcess);
      const retry = this.toRetry(result, toProcess, pack.length, attempt);
      // What is not retried is settled now: a failure or time-out the strategy does not retry is given up on.
      const retrying = new Set(retry);
      const failed = result.failed.filter((item) => !retrying.has(item));
      const timedOut = result.timedOut.filter((item) => !retrying.has(item));
      this.stats.processed += toProcess.length - retry.length - failed.length - timedOut.length;
      this.stats.failed += failed.length;
      this.stats.timedOut += timedOut.length;
      this.stats.retried += retry.length;
      if (failed.length || timedOut.length)
        this.onGiveUp([...failed, ...timedOut], `${failed.length} failed, ${timedOut.length} timed out`);
      if (retry.length && pauseMs > 0) {
        await new Promise((resolve) => setTimeout(resolve, pauseMs));
        pauseMs = Math.min(pauseMs * 2, Math.max(pauseMs, this.settings.processingStrategy.maxPauseBetweenRetries * 1000));
      }
      toProcess = retry;
    }
    this.stats.packs++;
  }

  /** The messages of this attempt to run again, in pack order (ThingsBoard's retry strategy); none = move on. */
  private toRetry(result: AttemptResult, attempted: QueuedMsg[], packSize: number, attempt: number): QueuedMsg[] {
    const { type, retries, failurePercentage } = this.settings.processingStrategy;
    const unsuccessful = result.failed.length + result.timedOut.length;
    if (!unsuccessful) return [];
    if (type === 'SKIP_ALL_FAILURES' || type === 'SKIP_ALL_FAILURES_AND_TIMED_OUT') return [];
    if (retries > 0 && attempt >= retries) return [];
    // A percentage of the whole pack, as the setting says (ThingsBoard compares its 0–1 ratio with this number).
    if (failurePercentage > 0 && (unsuccessful / packSize) * 100 > failurePercentage) return [];
    const retryFailed = type === 'RETRY_ALL' || type === 'RETRY_FAILED' || type === 'RETRY_FAILED_AND_TIMED_OUT';
    const retryTimedOut = type === 'RETRY_ALL' || type === 'RETRY_TIMED_OUT' || type === 'RETRY_FAILED_AND_TIMED_OUT';
    if (type === 'RETRY_ALL') return attempted;
    const chosen = new Set([...(retryFailed ? result.failed : []), ...(retryTimedOut ? result.timedOut : [])]);
    return attempted.filter((item) => chosen.has(item));
  }

  /** One pass over `items` by the submit strategy, bounded by the pack timeout. */
  private attempt(items: QueuedMsg[]): Promise<AttemptResult> {
    return new Promise((resolve) => {
      const failed: QueuedMsg[] = [];
      const pending = new Set<QueuedMsg>();
      const feeder = submitOrder(this.settings.submitStrategy.type, this.settings.submitStrategy.batchSize, items);
      let completed = 0;
      let finished = false;
      const finish = () => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        resolve({ failed, timedOut: [...pending, ...feeder.remaining()] });
      };
      // Messages often complete synchronously inside `start`: launching from a loop, not by recursion, keeps
      // the stack flat for long sequential packs, and counting completions (not "nothing pending") keeps a
      // message that completed at once from ending the pass before its neighbours were started.
      const startable: QueuedMsg[] = [];
      let launching = false;
      const launch = (next: QueuedMsg[]) => {
        startable.push(...next);
        if (launching) return;
        launching = true;
        for (let i = 0; i < startable.length && !finished; i++) {
          pending.add(startable[i]);
          this.start(startable[i], onDone);
        }
        startable.length = 0;
        launching = false;
      };
      const onDone = (tracker: MsgTracker) => {
        if (finished || !pending.delete(tracker.item)) return;
        if (tracker.failure !== null) failed.push(tracker.item);
        if (++completed === items.length) finish();
        else launch(feeder.completed(tracker.item));
      };
      const timer = setTimeout(finish, this.settings.packProcessingTimeout);
      if (items.length) launch(feeder.initial());
      else finish();
    });
  }
}

/** Which messages of a pass may start now, and which become startable as others complete. */
interface SubmitOrder {
  initial(): QueuedMsg[];
  completed(item: QueuedMsg): QueuedMsg[];
  /** Never started (counted as timed out when the pack times out). */
  remaining(): QueuedMsg[];
}

function submitOrder(type: SubmitStrategyType, batchSize: number, items: QueuedMsg[]): SubmitOrder {
  switch (type) {
    case 'BURST':
      return { initial: () => items, completed: () => [], remaining: () => [] };
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
  return {
    initial: () => [...queues.values()].map((queue) => queue[0]),
    completed: (item) => {
      const queue = queues.get(keyOf(item))!;
      queue.shift();
      return queue.length ? [queue[0]] : [];
    },
    remaining: () => [...queues.values()].flatMap((queue) => queue.slice(1)),
  };
}
