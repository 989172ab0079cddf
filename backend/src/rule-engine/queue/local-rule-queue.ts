import Database from 'better-sqlite3';
import { join } from 'node:path';
import { GroupCommitQueue } from '../../telemetry/group-commit-queue';
import type { QueuedMsg } from '../queued-msg';
import type { RuleQueue } from './rule-queue';

interface Consumer {
  queueName: string;
  handler: (pack: QueuedMsg[]) => Promise<void>;
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
 * a commit survives the process being killed). Submissions are group-committed; committed messages go
 * straight to the consumer from memory, and the file is read back only after a restart or when the
 * consumer is far behind. A processed pack is deleted with one range delete.
 */
export class LocalRuleQueue implements RuleQueue {
  private readonly db: Database.Database;
  private readonly writer: GroupCommitQueue<Submission>;
  private readonly consumers = new Map<string, Consumer>();
  private nextSeq: number;
  private closed = false;
  private readonly insert: Database.Statement;
  private readonly selectAfter: Database.Statement;
  private readonly deleteUpTo: Database.Statement;
  private readonly countWaiting: Database.Statement;

  constructor(private readonly options: LocalRuleQueueOptions) {
    this.db = new Database(join(options.dataDir, 'rule-queue.sqlite'));
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(
      'CREATE TABLE IF NOT EXISTS queue_msg (queue TEXT NOT NULL, seq INTEGER NOT NULL, item TEXT NOT NULL, PRIMARY KEY (queue, seq)) WITHOUT ROWID',
    );
    this.insert = this.db.prepare('INSERT INTO queue_msg (queue, seq, item) VALUES (?, ?, ?)');
    this.selectAfter = this.db.prepare('SELECT seq, item FROM queue_msg WHERE queue = ? AND seq > ? ORDER BY seq LIMIT ?');
    this.deleteUpTo = this.db.prepare('DELETE FROM queue_msg WHERE queue = ? AND seq <= ?');
    this.countWaiting = this.db.prepare('SELECT count(*) AS n FROM queue_msg WHERE queue = ? AND seq > ?');
    const { maxSeq } = this.db.prepare('SELECT max(seq) AS maxSeq FROM queue_msg').get() as { maxSeq: number | null };
    this.nextSeq = (maxSeq ?? 0) + 1;
    const insertAll = this.db.transaction((batch: Submission[], firstSeq: number) => {
      let seq = firstSeq;
      for (const { queueName, item } of batch) this.insert.run(queueName, seq++, JSON.stringify(item));
    });
    this.writer = new GroupCommitQueue((batch) => {
      const firstSeq = this.nextSeq;
      insertAll(batch, firstSeq);
      this.nextSeq += batch.length;
      batch.forEach((submission, i) => this.delivered(submission, firstSeq + i));
    }, options.maxPackSize * 4);
  }

  submit(queueName: string, item: QueuedMsg): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the rule engine is stopping'));
    return this.writer.submit({ queueName, item }, 1);
  }

  consume(queueName: string, handler: (pack: QueuedMsg[]) => Promise<void>): void {
    const consumer: Consumer = {
      queueName,
      handler,
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
    const consumer = this.consumers.get(queueName);
    return (this.countWaiting.get(queueName, consumer?.lastDelivered ?? 0) as { n: number }).n;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.writer.drain();
    for (const consumer of this.consumers.values()) consumer.wake?.();
    await Promise.all([...this.consumers.values()].map((c) => c.stopped));
    this.db.close();
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

  private async run(consumer: Consumer): Promise<void> {
    while (!this.closed) {
      const pack = this.takePack(consumer);
      if (!pack.length) {
        await new Promise<void>((resolve) => (consumer.wake = resolve));
        consumer.wake = null;
        continue;
      }
      await consumer.handler(pack.map((p) => p.item));
      const lastSeq = pack[pack.length - 1].seq;
      this.deleteUpTo.run(consumer.queueName, lastSeq);
    }
  }

  private takePack(consumer: Consumer): { seq: number; item: QueuedMsg }[] {
    const max = this.options.maxPackSize;
    let pack: { seq: number; item: QueuedMsg }[];
    if (consumer.fromDisk) {
      const rows = this.selectAfter.all(consumer.queueName, consumer.lastDelivered, max) as { seq: number; item: string }[];
      pack = rows.map((row) => ({ seq: row.seq, item: JSON.parse(row.item) as QueuedMsg }));
      // Everything committed is read (better-sqlite3 is synchronous: no commit can land in between), so
      // from here on new commits go to memory.
      if (rows.length < max) consumer.fromDisk = false;
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
