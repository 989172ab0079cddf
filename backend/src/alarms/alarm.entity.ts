import type { EntityType } from '@edgewise/plugin-api';
import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintAsNumber, jsonText, JsonObject } from '../database/column-transformers';

export type AlarmSeverity = 'CRITICAL' | 'MAJOR' | 'MINOR' | 'WARNING' | 'INDETERMINATE';
/** Highest first: the order "highest severity" and ThingsBoard's AlarmSeverity enum use. */
export const ALARM_SEVERITIES: readonly AlarmSeverity[] = ['CRITICAL', 'MAJOR', 'MINOR', 'WARNING', 'INDETERMINATE'];

export type AlarmStatus = 'ACTIVE_UNACK' | 'ACTIVE_ACK' | 'CLEARED_UNACK' | 'CLEARED_ACK';
export const ALARM_STATUSES: readonly AlarmStatus[] = ['ACTIVE_UNACK', 'ACTIVE_ACK', 'CLEARED_UNACK', 'CLEARED_ACK'];

@Entity('alarm')
export class AlarmEntity {
  @PrimaryColumn('uuid') id: string;
  @Column('bigint', { name: 'created_time', transformer: bigintAsNumber }) createdTime: number;
  @Column('uuid', { name: 'tenant_id' }) tenantId: string;
  /** The originator's customer when the alarm was raised; null when the originator belongs to no customer. */
  @Column('uuid', { name: 'customer_id', nullable: true }) customerId: string | null;
  @Column('varchar', { length: 255 }) type: string;
  /** Any of ThingsBoard's entity types: rule messages may carry types the REST API has no table for. */
  @Column('varchar', { name: 'originator_type', length: 32 }) originatorType: EntityType;
  @Column('uuid', { name: 'originator_id' }) originatorId: string;
  @Column('varchar', { length: 16 }) severity: AlarmSeverity;
  @Column('boolean') acknowledged: boolean;
  @Column('boolean') cleared: boolean;
  @Column('bigint', { name: 'start_ts', transformer: bigintAsNumber }) startTs: number;
  @Column('bigint', { name: 'end_ts', transformer: bigintAsNumber }) endTs: number;
  @Column('bigint', { name: 'ack_ts', transformer: bigintAsNumber }) ackTs: number;
  @Column('bigint', { name: 'clear_ts', transformer: bigintAsNumber }) clearTs: number;
  @Column('uuid', { name: 'assignee_id', nullable: true }) assigneeId: string | null;
  @Column('bigint', { name: 'assign_ts', transformer: bigintAsNumber }) assignTs: number;
  /** ThingsBoard's `details`: any JSON value (usually an object), null when none. `any` because TypeORM's update typing rejects `unknown`. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  @Column('text', { nullable: true, transformer: jsonText }) details: any;
  @Column('boolean') propagate: boolean;
  @Column('boolean', { name: 'propagate_to_owner' }) propagateToOwner: boolean;
  @Column('boolean', { name: 'propagate_to_tenant' }) propagateToTenant: boolean;
  @Column('text', { name: 'propagate_relation_types', nullable: true, transformer: jsonText }) propagateRelationTypes: string[] | null;
}

/** One row per entity an alarm shows on: its originator and every entity it propagated to. */
@Entity('entity_alarm')
export class EntityAlarmEntity {
  @PrimaryColumn('uuid', { name: 'entity_id' }) entityId: string;
  @PrimaryColumn('uuid', { name: 'alarm_id' }) alarmId: string;
  @Column('uuid', { name: 'tenant_id' }) tenantId: string;
  @Column('varchar', { name: 'entity_type', length: 32 }) entityType: EntityType;
  /** When the alarm was linked to this entity (the per-entity list's time bounds apply to it too). */
  @Column('bigint', { name: 'created_time', transformer: bigintAsNumber }) createdTime: number;
  @Column('varchar', { name: 'alarm_type', length: 255 }) alarmType: string;
  @Column('uuid', { name: 'customer_id', nullable: true }) customerId: string | null;
}

export type AlarmCommentType = 'SYSTEM' | 'OTHER';

@Entity('alarm_comment')
export class AlarmCommentEntity {
  @PrimaryColumn('uuid') id: string;
  @Column('bigint', { name: 'created_time', transformer: bigintAsNumber }) createdTime: number;
  @Column('uuid', { name: 'alarm_id' }) alarmId: string;
  /** The author; null for comments the system wrote on nobody's behalf. */
  @Column('uuid', { name: 'user_id', nullable: true }) userId: string | null;
  @Column('varchar', { length: 16 }) type: AlarmCommentType;
  @Column('text', { transformer: jsonText }) comment: JsonObject;
}
