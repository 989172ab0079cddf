import { Column, Entity, PrimaryColumn, VersionColumn } from 'typeorm';
import { bigintAsNumber, jsonText, JsonObject } from '../database/column-transformers';

@Entity('device')
export class DeviceEntity {
  @PrimaryColumn('uuid') id: string;
  @Column('bigint', { name: 'created_time', transformer: bigintAsNumber }) createdTime: number;
  @Column('uuid', { name: 'tenant_id' }) tenantId: string;
  @Column('uuid', { name: 'customer_id' }) customerId: string;
  @Column('varchar', { length: 255 }) name: string;
  /** Name of the device profile, kept in step with it (ThingsBoard's `type`). */
  @Column('varchar', { length: 255 }) type: string;
  @Column('varchar', { length: 255, nullable: true }) label: string | null;
  @Column('uuid', { name: 'device_profile_id' }) deviceProfileId: string;
  @Column('text', { name: 'device_data', nullable: true, transformer: jsonText }) deviceData: JsonObject | null;
  @Column('uuid', { name: 'firmware_id', nullable: true }) firmwareId: string | null;
  @Column('uuid', { name: 'software_id', nullable: true }) softwareId: string | null;
  @Column('uuid', { name: 'external_id', nullable: true }) externalId: string | null;
  @Column('text', { name: 'additional_info', nullable: true, transformer: jsonText }) additionalInfo: JsonObject | null;
  @VersionColumn({ type: 'bigint', transformer: bigintAsNumber }) version: number;
}

export type CredentialsType = 'ACCESS_TOKEN' | 'MQTT_BASIC' | 'X509_CERTIFICATE' | 'LWM2M_CREDENTIALS';
export const CREDENTIALS_TYPES: readonly CredentialsType[] = ['ACCESS_TOKEN', 'MQTT_BASIC', 'X509_CERTIFICATE', 'LWM2M_CREDENTIALS'];

@Entity('device_credentials')
export class DeviceCredentialsEntity {
  @PrimaryColumn('uuid') id: string;
  @Column('bigint', { name: 'created_time', transformer: bigintAsNumber }) createdTime: number;
  @Column('uuid', { name: 'device_id' }) deviceId: string;
  @Column('varchar', { name: 'credentials_type', length: 32 }) credentialsType: CredentialsType;
  /** The lookup key transports authenticate with (token, SHA3 hash of MQTT ids, SHA3 of the certificate). */
  @Column('varchar', { name: 'credentials_id', length: 255 }) credentialsId: string;
  @Column('text', { name: 'credentials_value', nullable: true }) credentialsValue: string | null;
  @VersionColumn({ type: 'bigint', transformer: bigintAsNumber }) version: number;
}
