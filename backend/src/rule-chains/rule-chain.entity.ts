import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintAsNumber, jsonText, JsonObject } from '../database/column-transformers';

export type RuleChainType = 'CORE' | 'EDGE';

/** A connection between two nodes of a chain, by their position in the node list (ThingsBoard's form). */
export interface NodeConnection {
  fromIndex: number;
  toIndex: number;
  type: string;
}

@Entity('rule_chain')
export class RuleChainEntity {
  @PrimaryColumn('uuid') id: string;
  @Column('bigint', { name: 'created_time', transformer: bigintAsNumber }) createdTime: number;
  @Column('uuid', { name: 'tenant_id' }) tenantId: string;
  @Column('varchar', { length: 255 }) name: string;
  @Column('varchar', { length: 32 }) type: RuleChainType;
  @Column('boolean') root: boolean;
  @Column('boolean', { name: 'debug_mode' }) debugMode: boolean;
  @Column('uuid', { name: 'first_rule_node_id', nullable: true }) firstRuleNodeId: string | null;
  @Column('text', { nullable: true, transformer: jsonText }) configuration: JsonObject | null;
  @Column('text', { name: 'additional_info', nullable: true, transformer: jsonText }) additionalInfo: JsonObject | null;
  @Column('uuid', { name: 'external_id', nullable: true }) externalId: string | null;
  /** Null until metadata was saved once (ThingsBoard then answers `connections: null`). */
  @Column('text', { transformer: jsonText }) connections: NodeConnection[] | null;
  @Column('text', { nullable: true, transformer: jsonText }) notes: JsonObject[] | null;
  /** Bumped by every header or metadata save; stale saves get 409. */
  @Column('bigint', { transformer: bigintAsNumber }) version: number;
}

@Entity('rule_node')
export class RuleNodeEntity {
  @PrimaryColumn('uuid') id: string;
  @Column('bigint', { name: 'created_time', transformer: bigintAsNumber }) createdTime: number;
  @Column('uuid', { name: 'rule_chain_id' }) ruleChainId: string;
  /** ThingsBoard class name when the node has one (so exports stay ThingsBoard's), else our type id. */
  @Column('varchar', { length: 255 }) type: string;
  @Column('varchar', { length: 255 }) name: string;
  @Column('integer', { name: 'configuration_version' }) configurationVersion: number;
  @Column('text', { transformer: jsonText }) configuration: JsonObject;
  @Column('text', { name: 'debug_settings', nullable: true, transformer: jsonText }) debugSettings: DebugSettings | null;
  @Column('boolean', { name: 'singleton_mode' }) singletonMode: boolean;
  @Column('varchar', { name: 'queue_name', length: 255, nullable: true }) queueName: string | null;
  @Column('text', { name: 'additional_info', nullable: true, transformer: jsonText }) additionalInfo: JsonObject | null;
  @Column('uuid', { name: 'external_id', nullable: true }) externalId: string | null;
  /** Index in the chain's node list: connections refer to it. */
  @Column('integer') position: number;
}

export interface DebugSettings {
  failuresEnabled: boolean;
  allEnabled: boolean;
  allEnabledUntil: number;
}

@Entity('rule_chain_version')
export class RuleChainVersionEntity {
  @PrimaryColumn('uuid', { name: 'rule_chain_id' }) ruleChainId: string;
  @PrimaryColumn('bigint', { transformer: bigintAsNumber }) version: number;
  @Column('bigint', { name: 'created_time', transformer: bigintAsNumber }) createdTime: number;
  @Column('uuid', { name: 'user_id', nullable: true }) userId: string | null;
  /** The RuleChainMetaData JSON as saved (node ids included), restorable as is. */
  @Column('text', { transformer: jsonText }) metadata: JsonObject;
}
