import { Column, Entity, PrimaryColumn, VersionColumn } from 'typeorm';
import { bigintAsNumber, jsonText, JsonObject } from '../database/column-transformers';

export type Authority = 'SYS_ADMIN' | 'TENANT_ADMIN' | 'CUSTOMER_USER';
export const AUTHORITIES: readonly Authority[] = ['SYS_ADMIN', 'TENANT_ADMIN', 'CUSTOMER_USER'];

@Entity('tb_user')
export class UserEntity {
  @PrimaryColumn('uuid') id: string;
  @Column('bigint', { name: 'created_time', transformer: bigintAsNumber }) createdTime: number;
  @Column('uuid', { name: 'tenant_id' }) tenantId: string;
  @Column('uuid', { name: 'customer_id' }) customerId: string;
  @Column('varchar', { length: 255 }) email: string;
  @Column('varchar', { length: 32 }) authority: Authority;
  @Column('varchar', { name: 'first_name', length: 255, nullable: true }) firstName: string | null;
  @Column('varchar', { name: 'last_name', length: 255, nullable: true }) lastName: string | null;
  @Column('varchar', { length: 255, nullable: true }) phone: string | null;
  @Column('text', { name: 'additional_info', nullable: true, transformer: jsonText }) additionalInfo: JsonObject | null;
  @VersionColumn({ type: 'bigint', transformer: bigintAsNumber }) version: number;
}

/** Login secrets live apart from the user row so no user query can leak them. */
@Entity('user_credentials')
export class UserCredentialsEntity {
  @PrimaryColumn('uuid', { name: 'user_id' }) userId: string;
  @Column('varchar', { name: 'password_hash', length: 255, nullable: true }) passwordHash: string | null;
  @Column('boolean') enabled: boolean;
  @Column('varchar', { name: 'activate_token', length: 255, nullable: true }) activateToken: string | null;
  @Column('bigint', { name: 'activate_token_expires', nullable: true, transformer: bigintAsNumber }) activateTokenExpires: number | null;
  @Column('bigint', { name: 'last_login_ts', nullable: true, transformer: bigintAsNumber }) lastLoginTs: number | null;
  /** Bumped on logout and password change: tokens issued before carry an older value and are refused. */
  @Column('integer', { name: 'token_generation', default: 0 }) tokenGeneration: number;
}
