import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintAsNumber } from '../database/column-transformers';

/** Lifecycle of a persistent RPC (device-api.md §8.6). DELIVERED is final for one-way calls. */
export type RpcStatus = 'QUEUED' | 'SENT' | 'DELIVERED' | 'SUCCESSFUL' | 'TIMEOUT' | 'EXPIRED' | 'FAILED' | 'DELETED';
export const RPC_STATUSES: readonly RpcStatus[] = ['QUEUED', 'SENT', 'DELIVERED', 'SUCCESSFUL', 'TIMEOUT', 'EXPIRED', 'FAILED', 'DELETED'];

/** What was asked of the device, as stored with a persistent RPC. */
export interface StoredRpcRequest {
  method: string;
  params: unknown;
  oneway: boolean;
  retries: number;
}

/**
 * A persistent RPC: stored, delivered when the device can take it, its status queryable. The JSON members
 * are kept as text (`*Json`) because their values are arbitrary JSON, including strings and null.
 */
@Entity('rpc')
export class RpcEntity {
  @PrimaryColumn('uuid') id: string;
  @Column('bigint', { name: 'created_time', transformer: bigintAsNumber }) createdTime: number;
  @Column('uuid', { name: 'tenant_id' }) tenantId: string;
  @Column('uuid', { name: 'device_id' }) deviceId: string;
  @Column('bigint', { name: 'expiration_time', transformer: bigintAsNumber }) expirationTime: number;
  @Column('text', { name: 'request' }) requestJson: string;
  @Column('text', { name: 'response', nullable: true }) responseJson: string | null;
  @Column('varchar', { length: 16 }) status: RpcStatus;
  @Column('text', { name: 'additional_info', nullable: true }) additionalInfoJson: string | null;
}
