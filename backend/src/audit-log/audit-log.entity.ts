import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintAsNumber, jsonText, JsonObject } from '../database/column-transformers';

@Entity('audit_log')
export class AuditLogEntity {
  @PrimaryColumn('uuid') id: string;
  @Column('bigint', { name: 'created_time', transformer: bigintAsNumber }) createdTime: number;
  @Column('uuid', { name: 'tenant_id' }) tenantId: string;
  @Column('uuid', { name: 'customer_id' }) customerId: string;
  @Column('varchar', { name: 'entity_type', length: 32, nullable: true }) entityType: string | null;
  @Column('uuid', { name: 'entity_id', nullable: true }) entityId: string | null;
  @Column('varchar', { name: 'entity_name', length: 255, nullable: true }) entityName: string | null;
  @Column('uuid', { name: 'user_id', nullable: true }) userId: string | null;
  @Column('varchar', { name: 'user_name', length: 255, nullable: true }) userName: string | null;
  @Column('varchar', { name: 'action_type', length: 64 }) actionType: string;
  @Column('text', { name: 'action_data', nullable: true, transformer: jsonText }) actionData: JsonObject | null;
  @Column('varchar', { name: 'action_status', length: 16 }) actionStatus: 'SUCCESS' | 'FAILURE';
  @Column('text', { name: 'action_failure_details', nullable: true }) actionFailureDetails: string | null;
}
