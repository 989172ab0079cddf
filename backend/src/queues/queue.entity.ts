import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintAsNumber, jsonText, JsonObject } from '../database/column-transformers';

export const SUBMIT_STRATEGY_TYPES = ['BURST', 'BATCH', 'SEQUENTIAL_BY_ORIGINATOR', 'SEQUENTIAL_BY_TENANT', 'SEQUENTIAL'] as const;
export type SubmitStrategyType = (typeof SUBMIT_STRATEGY_TYPES)[number];

export const PROCESSING_STRATEGY_TYPES = [
  'SKIP_ALL_FAILURES',
  'SKIP_ALL_FAILURES_AND_TIMED_OUT',
  'RETRY_ALL',
  'RETRY_FAILED',
  'RETRY_TIMED_OUT',
  'RETRY_FAILED_AND_TIMED_OUT',
] as const;
export type ProcessingStrategyType = (typeof PROCESSING_STRATEGY_TYPES)[number];

export interface SubmitStrategy {
  type: SubmitStrategyType;
  /** Messages submitted at a time by the BATCH strategy. */
  batchSize: number;
}

export interface ProcessingStrategy {
  type: ProcessingStrategyType;
  /** 0 = retry until the pack succeeds. */
  retries: number;
  /** 0–100. */
  failurePercentage: number;
  /** Seconds. */
  pauseBetweenRetries: number;
  maxPauseBetweenRetries: number;
}

/** A rule-engine queue (ThingsBoard's Queue, rest-api.md §6.2). */
@Entity('queue')
export class QueueEntity {
  @PrimaryColumn('uuid') id: string;
  @Column('bigint', { name: 'created_time', transformer: bigintAsNumber }) createdTime: number;
  /** The system tenant (null UUID) for the queues every tenant shares. */
  @Column('uuid', { name: 'tenant_id' }) tenantId: string;
  @Column('varchar', { length: 255 }) name: string;
  @Column('varchar', { length: 255 }) topic: string;
  @Column('integer', { name: 'poll_interval' }) pollInterval: number;
  @Column('integer') partitions: number;
  @Column('boolean', { name: 'consumer_per_partition' }) consumerPerPartition: boolean;
  @Column('bigint', { name: 'pack_processing_timeout', transformer: bigintAsNumber }) packProcessingTimeout: number;
  @Column('text', { name: 'submit_strategy', transformer: jsonText }) submitStrategy: SubmitStrategy;
  @Column('text', { name: 'processing_strategy', transformer: jsonText }) processingStrategy: ProcessingStrategy;
  @Column('text', { name: 'additional_info', nullable: true, transformer: jsonText }) additionalInfo: JsonObject | null;
}
