import { Logger } from '@nestjs/common';
import { join } from 'node:path';
import { GroupCommitQueue } from '../../telemetry/group-commit-queue';
import type { QueuedMsg } from '../queued-msg';
import { LocalQueueStore } from './local-queue-store';
import type { ConsumeOptions, RuleQueue } from './rule-queue';

/** A pack whose processing failed waits this long before it is delivered again (no busy loop on a lasting fault). */
const REDELIVERY_PAUSE_MS = 1000;

interface PackInFlight {
  firstSeq: number;
  lastSeq: number;
  settled: boolean;
  failed: boolean;
  error?: unknown;
  done?: Promise<void>;
}

interface Consumer {
  queueName: string;
  handler: (pack: QueuedMsg[]) => Promise<void>;
  maxInFlight: () => number;
  /** Committed messages not yet delivered, in seq order, while they fit in memory. */
  buffer: { seq: number; item: QueuedMsg }[];
  head: number;
  /** True while the buffer does not hold everything committed (after a restart, or after overflowing). */
  fromDisk: boolean;
  lastDelivered: number;
  wake: (() => void) | null;
  stopped: Promise<void>;
}

interface Submission {
  queueName: string;
  item: QueuedMsg;
}

export interface LocalRuleQueueOptions {
  dataDir: string;
  maxPackSize: number;
  /** Committed messages kept in memory per queue for delivery; beyond that they are read back from disk. */
  maxBuffered: number;
}

/**
 * The embedded durable queue: an SQLite file of its own in the data directory (WAL, synchronous=NORMAL:
 * a commit survives the process being killed), written on a worker thread (LocalQueueStore). Submissions
 * are group-committed; committed messages go straight to the consumer from memory, and the file is read
 * back only after a restart or when the consumer is far behind. A processed pack is deleted with one range
 * delete.
 */
export class LocalRuleQueue implements RuleQueue {
  private readonly logger = new Logger('RuleQueue');
  private readonly store: LocalQueueStore;
  private readonly writer: GroupCommitQueue<Submission>;
  private readonly consumers = new Map<string, Consumer>();
  private nextSeq = 0;
  private closed = false;
  private closing?: Promise<void>;
  /** Resolves once the file is open; rejects (with why) when it cannot be. */
  readonly ready: Promise<void>;

  constructor(private readonly options: LocalRuleQueueOptions) {
    this.store = new LocalQueueStore(join(options.dataDir, 'rule-queue.sqlite'));
    this.ready = this.store.opened.then((maxSeq) => void (this.nextSeq = maxSeq + 1));
    // Whoever needs the file awaits `ready` and sees why it failed; a queue never used must not crash the process.
    this.ready.catch(() => undefined);
    this.writer = new GroupCommitQueue(async (batch) => {
      await this.ready;
      const firstSeq = this.nextSeq;
      this.nextSeq += batch.length;
      const rows: unknown[] = [];
      let seq = firstSeq;
      for (const { queueName, item } of batch) rows.push(queueName, seq++, JSON.stringify(item));
      await this.store.insert(rows);
      batch.forEach((submission, i) => this.delivered(submission, firstSeq + i));
    }, options.maxPackSize * 4);
  }

  submit(queueName: string, item: QueuedMsg): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the rule engine is stopping'));
    return this.writer.submit({ queueName, item }, 1);
  }

  consume(queueName: string, handler: (pack: QueuedMsg[]) => Promise<void>, options: ConsumeOptions = {}): void {
    const consumer: Consumer = {
      queueName,
      handler,
      maxInFlight: options.maxInFlight ?? (() => 1),
      buffer: [],
      head: 0,
      fromDisk: true,
      lastDelivered: 0,
      wake: null,
      stopped: Promise.resolve(),
    };
    this.consumers.set(queueName, consumer);
    consumer.stopped = this.run(consumer);
  }

  async lag(queueName: string): Promise<number> {
    await this.ready;
    return this.store.countAfter(queueName, this.consumers.get(queueName)?.lastDelivered ?? 0);
  }

  close(): Promise<void> {
    return (this.closing ??= this.shutDown());
  }

  private async shutDown(): Promise<void> {
    this.closed = true;
    await this.ready.catch(() => undefined);
    await this.writer.drain();
    for (const consumer of this.consumers.values()) consumer.wake?.();
    await Promise.all([...this.consumers.values()].map((c) => c.stopped));
    await this.store.close();
  }

  /** A committed message: hand it to its consumer's memory buffer unless the consumer reads from disk. */
  private delivered({ queueName, item }: Submission, seq: number): void {
    const consumer = this.consumers.get(queueName);
    if (!consumer || consumer.fromDisk) return;
    if (consumer.buffer.length - consumer.head >= this.options.maxBuffered) {
      consumer.fromDisk = true;
      consumer.buffer = [];
      consumer.head = 0;
    } else {
      consumer.buffer.push({ seq, item });
    }
    consumer.wake?.();
  }

  /**
   * Hands packs to the handler, up to `maxInFlight()` at a time, and deletes them in queue order as they
   * complete (a pack is deleted only when every older pack is done too). A pack whose handler failed is
   * delivered again, with everything after it, once the packs in flight have settled.
   */
  private async run(consumer: Consumer): Promise<void> {
    const inFlight: PackInFlight[] = [];
    const deleteCompleted = () => {
      let upTo = -1;
      while (inFlight.length && inFlight[0].settled && !inFlight[0].failed) upTo = inFlight.shift()!.lastSeq;
      if (upTo >= 0)
        this.store.deleteUpTo(consumer.queueName, upTo).catch((err: unknown) =>
          // Not fatal: the rows stay and are delivered again after a restart (at least once).
          this.logger.error({ msg: `queue ${consumer.queueName}: deleting processed messages failed`, err }),
        );
    };
    await this.ready;
    while (!this.closed) {
      const failed = inFlight.find((p) => p.failed);
      if (failed) {
        if (inFlight.some((p) => !p.settled)) {
          await this.idle(consumer);
          continue;
        }
        // Not processed, so not deleted: read back from the file after a pause and delivered again.
        this.logger.error({
          msg: `queue ${consumer.queueName}: processing a pack failed; it is delivered again in ${REDELIVERY_PAUSE_MS} ms`,
          err: failed.error,
        });
        Object.assign(consumer, { lastDelivered: failed.firstSeq - 1, fromDisk: true, buffer: [], head: 0 });
        inFlight.length = 0;
        await this.idle(consumer, REDELIVERY_PAUSE_MS);
        continue;
      }
      if (inFlight.length >= consumer.maxInFlight()) {
        await this.idle(consumer);
        continue;
      }
      const pack = await this.takePack(consumer);
      if (!pack.length) {
        await this.idle(consumer);
        continue;
      }
      const entry: PackInFlight = { firstSeq: pack[0].seq, lastSeq: pack[pack.length - 1].seq, settled: false, failed: false };
      inFlight.push(entry);
      entry.done = consumer.handler(pack.map((p) => p.item)).then(
        () => {
          entry.settled = true;
          if (!this.closed) deleteCompleted();
          consumer.wake?.();
        },
        (error: unknown) => {
          Object.assign(entry, { settled: true, failed: true, error });
          consumer.wake?.();
        },
      );
    }
    await Promise.all(inFlight.map((p) => p.done));
    deleteCompleted();
  }

  /** Waits until woken (a commit for this consumer, or close), or at most `timeoutMs`. */
  private idle(consumer: Consumer, timeoutMs?: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = timeoutMs === undefined ? undefined : setTimeout(() => consumer.wake?.(), timeoutMs);
      consumer.wake = () => {
        clearTimeout(timer);
        consumer.wake = null;
        resolve();
      };
    });
  }

  private async takePack(consumer: Consumer): Promise<{ seq: number; item: QueuedMsg }[]> {
    const max = this.options.maxPackSize;
    let pack: { seq: number; item: QueuedMsg }[] = [];
    if (consumer.fromDisk) {
      await this.store.selectAfter(consumer.queueName, consumer.lastDelivered, max, (rows) => {
        pack = rows.map((row) => ({ seq: row.seq, item: JSON.parse(row.item) as QueuedMsg }));
        // The store answers in order: this read saw every commit answered before it, and commits answered
        // after it reach delivered() once this has run — so from here on they go to memory.
        if (rows.length < max) consumer.fromDisk = false;
      });
    } else {
      pack = consumer.buffer.slice(consumer.head, consumer.head + max);
      consumer.head += pack.length;
      if (consumer.head > 4096 && consumer.head * 2 > consumer.buffer.length) {
        consumer.buffer = consumer.buffer.slice(consumer.head);
        consumer.head = 0;
      }
    }
    if (pack.length) consumer.lastDelivered = pack[pack.length - 1].seq;
    return pack;
  }
}
