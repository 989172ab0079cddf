import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintAsNumber } from '../database/column-transformers';

const nullableBigint = { type: 'bigint', nullable: true, transformer: bigintAsNumber } as const;

/**
 * One table for every event type: the key is the order every query reads in (tenant, entity, type, time),
 * so a page of one node's events is one index range and batched inserts append per entity. The body
 * fields are typed columns (ThingsBoard's `e_*` columns of its per-type tables) rather than one JSON text:
 * the §4.3 filters then compare the field the user named (data, metadata, error, counters …) in SQL, so
 * filtered pages count right on both databases without dialect-specific JSON operators. Unused columns
 * of a type stay NULL, which both databases store for next to nothing.
 */
@Entity('event')
export class EventEntity {
  @PrimaryColumn('uuid', { name: 'tenant_id' }) tenantId: string;
  @PrimaryColumn('uuid', { name: 'entity_id' }) entityId: string;
  @PrimaryColumn('varchar', { name: 'event_type', length: 32 }) eventType: string;
  @PrimaryColumn('bigint', { transformer: bigintAsNumber }) ts: number;
  @PrimaryColumn('uuid') id: string;
  @Column('varchar', { name: 'entity_type', length: 32 }) entityType: string;
  /** The service instance that recorded it. */
  @Column('text') server: string;
  /** Debug: IN/OUT; lifecycle: the event name. */
  @Column('text', { name: 'e_type', nullable: true }) eType: string | null;
  @Column('uuid', { name: 'e_entity_id', nullable: true }) eEntityId: string | null;
  @Column('varchar', { name: 'e_entity_type', length: 32, nullable: true }) eEntityType: string | null;
  @Column('uuid', { name: 'e_msg_id', nullable: true }) eMsgId: string | null;
  @Column('text', { name: 'e_msg_type', nullable: true }) eMsgType: string | null;
  @Column('varchar', { name: 'e_data_type', length: 16, nullable: true }) eDataType: string | null;
  @Column('text', { name: 'e_relation_type', nullable: true }) eRelationType: string | null;
  @Column('text', { name: 'e_data', nullable: true }) eData: string | null;
  @Column('text', { name: 'e_metadata', nullable: true }) eMetadata: string | null;
  @Column('text', { name: 'e_error', nullable: true }) eError: string | null;
  @Column('boolean', { name: 'e_success', nullable: true }) eSuccess: boolean | null;
  @Column('text', { name: 'e_method', nullable: true }) eMethod: string | null;
  @Column('text', { name: 'e_message', nullable: true }) eMessage: string | null;
  @Column({ name: 'e_messages_processed', ...nullableBigint }) eMessagesProcessed: number | null;
  @Column({ name: 'e_errors_occurred', ...nullableBigint }) eErrorsOccurred: number | null;
}
