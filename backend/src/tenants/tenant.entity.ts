import { Column, Entity, PrimaryColumn, VersionColumn } from 'typeorm';
import { ContactColumns } from '../customers/contact';
import { bigintAsNumber, jsonText, JsonObject } from '../database/column-transformers';

@Entity('tenant')
export class TenantEntity extends ContactColumns {
  @PrimaryColumn('uuid') id: string;
  @Column('bigint', { name: 'created_time', transformer: bigintAsNumber }) createdTime: number;
  @Column('varchar', { length: 255 }) title: string;
  @Column('varchar', { length: 255, nullable: true }) region: string | null;
  @Column('text', { name: 'additional_info', nullable: true, transformer: jsonText }) additionalInfo: JsonObject | null;
  @VersionColumn({ type: 'bigint', transformer: bigintAsNumber }) version: number;
}
