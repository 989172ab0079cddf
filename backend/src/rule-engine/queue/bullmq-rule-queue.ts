import { Queue, Worker } from 'bullmq';
import IORedis from 'ioredis';
import { GroupCommitQueue } from '../../telemetry/group-commit-queue';
import type { QueuedMsg } from '../queued-msg';
import type { RuleQueue } from './rule-queue';

interface PackJob {
  items: QueuedMsg[];
}

export interface BullRuleQueueOptions {
  redisUrl: string;
  /** Key prefix shared by the nodes of one cluster. */
  prefix: string;
  maxPackSize: number;
  /** A pack whose worker died is handed to another worker after this long without a lock renewal. */
  lockDurationMs: number;
}

/**
 * Cluster mode: the rule queues live in Redis as BullMQ queues (keys under REDIS_QUEUE_PREFIX). Submissions are
 * group-committed into one job per batch (one Redis round trip for many messages); a worker takes one
 * job — one pack — at a time. A pack being processed by a node that dies is redelivered once its lock
 * expires (BullMQ's stalled-job check), so acknowledged messages are still processed.
 */
export class BullRuleQueue implements RuleQueue {
  private readonly connection: IORedis;
  private readonly queues = new Map<string, { queue: Queue<PackJob>; writer: GroupCommitQueue<QueuedMsg> }>();
  private readonly workers: Worker<PackJob>[] = [];

  constructor(private readonly options: BullRuleQueueOptions) {
    // BullMQ workers need blocking commands that never give up (maxRetriesPerRequest: null).
    this.connection = new IORedis(options.redisUrl, { maxRetriesPerRequest: null, lazyConnect: false });
  }

  submit(queueName: string, item: QueuedMsg): Promise<void> {
    return this.queueFor(queueName).writer.submit(item, 1);
  }

  consume(queueName: string, handler: (pack: QueuedMsg[]) => Promise<void>): void {
    const worker = new Worker<PackJob>(queueName, (job) => handler(job.data.items), {
      connection: this.connection.duplicate(),
      prefix: this.options.prefix,
      concurrency: 1,
      lockDuration: this.options.lockDurationMs,
      stalledInterval: Math.max(1000, this.options.lockDurationMs / 2),
      maxStalledCount: Number.MAX_SAFE_INTEGER,
    });
    worker.on('error', () => undefined); // connection errors are retried by ioredis; BullMQ logs nothing useful here
    this.workers.push(worker);
  }

  async lag(queueName: string): Promise<number> {
    const counts = await this.queueFor(queueName).queue.getJobCounts('wait', 'delayed', 'prioritized');
    return Object.values(counts).reduce((a, b) => a + b, 0);
  }

  async close(): Promise<void> {
    for (const { writer } of this.queues.values()) await writer.drain();
    await Promise.all(this.workers.map((worker) => worker.close()));
    await Promise.all([...this.queues.values()].map(({ queue }) => queue.close()));
    this.connection.disconnect();
  }

  private queueFor(queueName: string) {
    let entry = this.queues.get(queueName);
    if (!entry) {
      const queue = new Queue<PackJob>(queueName, { connection: this.connection, prefix: this.options.prefix });
      const writer = new GroupCommitQueue<QueuedMsg>(async (items) => {
        await queue.add('pack', { items }, { removeOnComplete: true, removeOnFail: 1000 });
      }, this.options.maxPackSize);
      entry = { queue, writer };
      this.queues.set(queueName, entry);
    }
    return entry;
  }
}
