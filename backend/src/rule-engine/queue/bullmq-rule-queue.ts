import { Logger } from '@nestjs/common';
import { Queue, Worker } from 'bullmq';
import IORedis from 'ioredis';
import { GroupCommitQueue } from '../../telemetry/group-commit-queue';
import type { QueuedMsg } from '../queued-msg';
import type { ConsumeOptions, RuleQueue } from './rule-queue';

interface PackJob {
  items: QueuedMsg[];
}

/** A pack whose processing failed is delivered again after this long (BullMQ retry with a fixed backoff). */
const REDELIVERY_PAUSE_MS = 1000;

export interface BullRuleQueueOptions {
  redisUrl: string;
  /** Key prefix shared by the nodes of one cluster. */
  prefix: string;
  maxPackSize: number;
  /** A pack whose worker died is handed to another worker after this long without a lock renewal. */
  lockDurationMs: number;
  /**
   * This node, stable across its restarts and different from every other node of the cluster: a node that
   * starts again takes back at once the packs it left in progress when it died, instead of after the lock.
   */
  nodeName: string;
}

/**
 * Cluster mode: the rule queues live in Redis as BullMQ queues (keys under REDIS_QUEUE_PREFIX). Submissions are
 * group-committed into one job per batch (one Redis round trip for many messages); a worker takes one
 * job — one pack — at a time. A pack being processed by a node that dies is redelivered once its lock
 * expires (BullMQ's stalled-job check), so acknowledged messages are still processed. A job is named by
 * the number of messages it holds, so that the lag in messages can be read without loading the jobs.
 */
export class BullRuleQueue implements RuleQueue {
  private readonly logger = new Logger('RuleQueue');
  private readonly connection: IORedis;
  private readonly queues = new Map<string, { queue: Queue<PackJob>; writer: GroupCommitQueue<QueuedMsg> }>();
  private readonly workers: Worker<PackJob>[] = [];
  private closed = false;
  private lastRedisError = '';

  constructor(private readonly options: BullRuleQueueOptions) {
    // BullMQ workers need blocking commands that never give up (maxRetriesPerRequest: null).
    this.connection = new IORedis(options.redisUrl, { maxRetriesPerRequest: null, lazyConnect: false });
  }

  submit(queueName: string, item: QueuedMsg): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the rule engine is stopping'));
    return this.queueFor(queueName).writer.submit(item, 1);
  }

  consume(queueName: string, handler: (pack: QueuedMsg[]) => Promise<void>, options: ConsumeOptions = {}): void {
    const processPack = async (items: QueuedMsg[]) => {
      try {
        await handler(items);
      } catch (error) {
        this.logger.error({
          msg: `queue ${queueName}: processing a pack failed; it is delivered again in ${REDELIVERY_PAUSE_MS} ms`,
          err: error,
        });
        throw error;
      }
    };
    // BullMQ makes (and closes) its own duplicates of the connection for the worker and its blocking reads.
    const worker = new Worker<PackJob>(queueName, (job) => processPack(job.data.items), {
      connection: this.connection,
      prefix: this.options.prefix,
      name: this.options.nodeName,
      autorun: false,
      // Read when the worker starts; a queue's submit strategy changed later applies after a restart.
      concurrency: options.maxInFlight?.() ?? 1,
      lockDuration: this.options.lockDurationMs,
      stalledInterval: Math.max(1000, this.options.lockDurationMs / 2),
      maxStalledCount: Number.MAX_SAFE_INTEGER,
    });
    worker.on('error', this.onRedisError);
    this.workers.push(worker);
    void this.reclaimPacksOfPreviousLife(queueName)
      .catch(this.onRedisError) // then they come back when their lock expires
      .then(() => (this.closed ? undefined : worker.run()))
      .catch(this.onRedisError);
  }

  async lag(queueName: string): Promise<number> {
    const { queue } = this.queueFor(queueName);
    const jobIds = await queue.getRanges(['wait', 'prioritized', 'delayed'], 0, -1);
    if (!jobIds.length) return 0;
    const names = this.connection.pipeline();
    for (const id of jobIds) names.hget(queue.toKey(id), 'name');
    const results = (await names.exec()) ?? [];
    return results.reduce((sum, [, name]) => sum + (Number(name) || 0), 0);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const { writer } of this.queues.values()) await writer.drain();
    await Promise.all(this.workers.map((worker) => worker.close()));
    await Promise.all([...this.queues.values()].map(({ queue }) => queue.close()));
    this.connection.disconnect();
  }

  /**
   * Connection errors (Redis down, restarting) are retried by ioredis and repeat every few seconds: each
   * different one is logged once. Without a listener BullMQ would print every one raw on stderr.
   */
  private readonly onRedisError = (error: Error) => {
    if (error.message === this.lastRedisError) return;
    this.lastRedisError = error.message;
    this.logger.warn({ msg: `Redis (rule-engine queues): ${error.message}; retrying`, err: error });
  };

  /**
   * Packs still active under this node's name were left by its previous process (this one has not started
   * consuming yet): that process is dead, so they go back to the front of the queue now rather than when
   * their lock expires.
   */
  private async reclaimPacksOfPreviousLife(queueName: string): Promise<void> {
    const active = await this.queueFor(queueName).queue.getJobs(['active']);
    const left = active.filter((job) => job.processedBy === this.options.nodeName);
    for (const job of left) await job.moveToWait();
    if (left.length)
      this.logger.log({ msg: `queue ${queueName}: took back ${left.length} pack(s) left in progress by this node's last run` });
  }

  private queueFor(queueName: string) {
    let entry = this.queues.get(queueName);
    if (!entry) {
      const queue = new Queue<PackJob>(queueName, { connection: this.connection, prefix: this.options.prefix });
      queue.on('error', this.onRedisError);
      const writer = new GroupCommitQueue<QueuedMsg>(async (items) => {
        // Retried without limit: a pack leaves the queue only once processed (RuleQueue.consume).
        await queue.add(
          String(items.length),
          { items },
          {
            removeOnComplete: true,
            attempts: Number.MAX_SAFE_INTEGER,
            backoff: { type: 'fixed', delay: REDELIVERY_PAUSE_MS },
          },
        );
      }, this.options.maxPackSize);
      entry = { queue, writer };
      this.queues.set(queueName, entry);
    }
    return entry;
  }
}
