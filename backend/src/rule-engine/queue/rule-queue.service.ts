import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import type { QueuedMsg } from '../queued-msg';
import { BullRuleQueue } from './bullmq-rule-queue';
import { LocalRuleQueue } from './local-rule-queue';
import type { RuleQueue } from './rule-queue';

export const MAIN_QUEUE = 'Main';

/**
 * The rule-engine queues for whoever submits (transports through the device-message submitter, nodes)
 * and whoever consumes (the engine): the local durable queue in the data directory, or BullMQ when
 * REDIS_URL is set. A message naming a queue that does not exist travels on Main, as in ThingsBoard.
 */
@Injectable()
export class RuleQueueService implements OnModuleInit {
  private readonly logger = new Logger('RuleQueue');
  readonly backend: RuleQueue;
  readonly kind: 'local' | 'bullmq';
  private known = new Set([MAIN_QUEUE]);

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    if (config.redisUrl) {
      this.kind = 'bullmq';
      this.backend = new BullRuleQueue({
        redisUrl: config.redisUrl,
        prefix: config.redisQueuePrefix,
        maxPackSize: config.ruleEnginePackSize,
        lockDurationMs: config.ruleEngineQueueLockMs,
        nodeName: nodeName(config.dataDir),
      });
    } else {
      this.kind = 'local';
      const dataDir = resolve(config.dataDir);
      mkdirSync(dataDir, { recursive: true });
      this.backend = new LocalRuleQueue({ dataDir, maxPackSize: config.ruleEnginePackSize, maxBuffered: config.ruleEngineMaxBuffered });
    }
    this.logger.log({
      msg: `rule-engine queues: ${this.kind === 'bullmq' ? 'BullMQ on Redis' : 'local durable queue in the data directory'}`,
    });
  }

  /** The local queue's file opens on its worker thread: start-up fails, saying why, if it cannot. */
  async onModuleInit(): Promise<void> {
    if (this.backend instanceof LocalRuleQueue) await this.backend.ready;
  }

  /** The queues that exist (the engine keeps this current). */
  setKnownQueues(names: Iterable<string>): void {
    this.known = new Set(names);
  }

  /** Resolves once the message is durably queued: only then may a device be acknowledged. */
  submit(item: QueuedMsg): Promise<void> {
    const name = item.msg.queueName;
    return this.backend.submit(this.known.has(name) ? name : MAIN_QUEUE, item);
  }
}

/**
 * The node's name in the cluster: its host and its data directory, the same across restarts of one node and
 * different for two nodes on one host (each has its own data directory). Hashed: Redis client names allow no spaces.
 */
function nodeName(dataDir: string): string {
  return `${hostname()}-${createHash('sha256').update(resolve(dataDir)).digest('hex').slice(0, 12)}`;
}
