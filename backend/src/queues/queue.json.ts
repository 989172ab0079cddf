import { entityId } from '../database/ids';
import type { ProcessingStrategy, QueueEntity, SubmitStrategy } from './queue.entity';

/** What the rule engine needs to run a queue. */
export interface QueueConfig {
  name: string;
  topic: string;
  /** Milliseconds between consumer polls. */
  pollInterval: number;
  partitions: number;
  consumerPerPartition: boolean;
  /** Milliseconds a polled pack may take before leftovers count as timed out. */
  packProcessingTimeout: number;
  submitStrategy: SubmitStrategy;
  processingStrategy: ProcessingStrategy;
}

export const queueConfig = (q: QueueEntity): QueueConfig => ({
  name: q.name,
  topic: q.topic,
  pollInterval: q.pollInterval,
  partitions: q.partitions,
  consumerPerPartition: q.consumerPerPartition,
  packProcessingTimeout: q.packProcessingTimeout,
  submitStrategy: { type: q.submitStrategy.type, batchSize: q.submitStrategy.batchSize },
  processingStrategy: {
    type: q.processingStrategy.type,
    retries: q.processingStrategy.retries,
    failurePercentage: q.processingStrategy.failurePercentage,
    pauseBetweenRetries: q.processingStrategy.pauseBetweenRetries,
    maxPauseBetweenRetries: q.processingStrategy.maxPauseBetweenRetries,
  },
});

/** Queue as ThingsBoard serialises it (rest-api.md §6.2). */
export const queueJson = (q: QueueEntity) => ({
  id: entityId('QUEUE', q.id),
  createdTime: q.createdTime,
  additionalInfo: q.additionalInfo,
  tenantId: entityId('TENANT', q.tenantId),
  ...queueConfig(q),
});
