import { Column, Entity, PrimaryColumn, VersionColumn } from 'typeorm';
import { bigintAsNumber, jsonText } from '../database/column-transformers';

@Entity('customer')
export class CustomerEntity {
  @PrimaryColumn('uuid') id: string;
  @Column('bigint', { name: 'created_time', transformer: bigintAsNumber }) createdTime: number;
  @Column('uuid', { name: 'tenant_id' }) tenantId: string;
  @Column('varchar', { length: 255 }) title: string;
  @Column('varchar', { length: 255, nullable: true }) email: string | null;
  @Column('varchar', { length: 255, nullable: true }) phone: string | null;
  @Column('varchar', { length: 255, nullable: true }) country: string | null;
  @Column('varchar', { length: 255, nullable: true }) state: string | null;
  @Column('varchar', { length: 255, nullable: true }) city: string | null;
  @Column('varchar', { length: 255, nullable: true }) address: string | null;
  @Column('varchar', { length: 255, nullable: true }) address2: string | null;
  @Column('varchar', { length: 255, nullable: true }) zip: string | null;
  @Column('text', { name: 'additional_info', nullable: true, transformer: jsonText }) additionalInfo: Record<string, any> | null;
  @VersionColumn({ type: 'bigint', transformer: bigintAsNumber }) version: number;
}
