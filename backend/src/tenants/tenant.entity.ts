import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintAsNumber, jsonText } from '../database/column-transformers';

@Entity('tenant')
export class TenantEntity {
  @PrimaryColumn('uuid') id: string;
  @Column('bigint', { name: 'created_time', transformer: bigintAsNumber }) createdTime: number;
  @Column('varchar', { length: 255 }) title: string;
  @Column('text', { name: 'additional_info', nullable: true, transformer: jsonText }) additionalInfo: Record<string, any> | null;
}
