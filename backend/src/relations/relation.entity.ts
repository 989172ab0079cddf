import { Column, Entity, PrimaryColumn } from 'typeorm';
import { jsonText, JsonObject } from '../database/column-transformers';

/** ThingsBoard's relation type groups; user relations are COMMON. */
export const RELATION_TYPE_GROUPS = [
  'COMMON',
  'ALARM',
  'DASHBOARD',
  'RULE_CHAIN',
  'RULE_NODE',
  'EDGE',
  'EDGE_AUTO_ASSIGN_RULE_CHAIN',
] as const;
export type RelationTypeGroup = (typeof RELATION_TYPE_GROUPS)[number];

/** A directed, typed relation between two entities; the six key columns identify it (as in ThingsBoard). */
@Entity('relation')
export class RelationEntity {
  @PrimaryColumn('uuid', { name: 'from_id' }) fromId: string;
  @PrimaryColumn('varchar', { name: 'from_type', length: 32 }) fromType: string;
  @PrimaryColumn('varchar', { name: 'relation_type_group', length: 64 }) typeGroup: string;
  @PrimaryColumn('varchar', { name: 'relation_type', length: 255 }) type: string;
  @PrimaryColumn('uuid', { name: 'to_id' }) toId: string;
  @PrimaryColumn('varchar', { name: 'to_type', length: 32 }) toType: string;
  /**
   * The tenant whose user or rule engine made it. ThingsBoard keys relations by entity ids only; the column
   * lets the rule engine's queries stay inside one tenant without resolving every entity on the way.
   */
  @Column('uuid', { name: 'tenant_id' }) tenantId: string;
  @Column('text', { name: 'additional_info', nullable: true, transformer: jsonText }) additionalInfo: JsonObject | null;
}
