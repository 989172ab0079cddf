import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintAsNumber } from '../database/column-transformers';

export type ResourceType = 'LWM2M_MODEL';
/** The resource types ThingsBoard has; Edgewise stores LwM2M models (the others are refused with a reason). */
export const THINGSBOARD_RESOURCE_TYPES = ['LWM2M_MODEL', 'JKS', 'PKCS_12', 'JS_MODULE'] as const;

/**
 * A file of the resource library (ThingsBoard's TbResource): an LwM2M object model, keyed `{objectId}_{version}`
 * within its tenant (the system tenant's models serve every tenant).
 */
@Entity('resource')
export class ResourceEntity {
  @PrimaryColumn('uuid') id: string;
  @Column('bigint', { name: 'created_time', transformer: bigintAsNumber }) createdTime: number;
  @Column('uuid', { name: 'tenant_id' }) tenantId: string;
  @Column('varchar', { length: 255 }) title: string;
  @Column('varchar', { name: 'resource_type', length: 32 }) resourceType: ResourceType;
  @Column('varchar', { name: 'resource_key', length: 255 }) resourceKey: string;
  @Column('varchar', { name: 'file_name', length: 255 }) fileName: string;
  @Column('varchar', { name: 'search_text', length: 255, nullable: true }) searchText: string | null;
  /** SHA-256 of the file, hex: the download's ETag. */
  @Column('varchar', { length: 64 }) etag: string;
  /** The file, Base64. */
  @Column('text') data: string;
}
