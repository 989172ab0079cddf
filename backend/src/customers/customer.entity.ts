import { Column, Entity, PrimaryColumn, VersionColumn } from 'typeorm';
import { bigintAsNumber, jsonText, JsonObject } from '../database/column-transformers';
import { ContactColumns } from './contact';

@Entity('customer')
export class CustomerEntity extends ContactColumns {
  @PrimaryColumn('uuid') id: string;
  @Column('bigint', { name: 'created_time', transformer: bigintAsNumber }) createdTime: number;
  @Column('uuid', { name: 'tenant_id' }) tenantId: string;
  @Column('varchar', { length: 255 }) title: string;
  @Column('text', { name: 'additional_info', nullable: true, transformer: jsonText }) additionalInfo: JsonObject | null;
  @VersionColumn({ type: 'bigint', transformer: bigintAsNumber }) version: number;
}
