import { Column, Entity, PrimaryColumn, VersionColumn } from 'typeorm';
import { bigintAsNumber, jsonText, JsonObject } from '../database/column-transformers';

export type TransportType = 'DEFAULT' | 'MQTT' | 'COAP' | 'LWM2M' | 'SNMP';
export const TRANSPORT_TYPES: readonly TransportType[] = ['DEFAULT', 'MQTT', 'COAP', 'LWM2M', 'SNMP'];
export type ProvisionType = 'DISABLED' | 'ALLOW_CREATE_NEW_DEVICES' | 'CHECK_PRE_PROVISIONED_DEVICES' | 'X509_CERTIFICATE_CHAIN';
export const PROVISION_TYPES: readonly ProvisionType[] = [
  'DISABLED',
  'ALLOW_CREATE_NEW_DEVICES',
  'CHECK_PRE_PROVISIONED_DEVICES',
  'X509_CERTIFICATE_CHAIN',
];

@Entity('device_profile')
export class DeviceProfileEntity {
  @PrimaryColumn('uuid') id: string;
  @Column('bigint', { name: 'created_time', transformer: bigintAsNumber }) createdTime: number;
  @Column('uuid', { name: 'tenant_id' }) tenantId: string;
  @Column('varchar', { length: 255 }) name: string;
  @Column('text', { nullable: true }) description: string | null;
  @Column('text', { nullable: true }) image: string | null;
  @Column('varchar', { length: 32 }) type: string;
  @Column('varchar', { name: 'transport_type', length: 32 }) transportType: TransportType;
  @Column('varchar', { name: 'provision_type', length: 64 }) provisionType: ProvisionType;
  @Column('varchar', { name: 'provision_device_key', length: 255, nullable: true }) provisionDeviceKey: string | null;
  @Column('boolean', { name: 'is_default' }) isDefault: boolean;
  @Column('uuid', { name: 'default_rule_chain_id', nullable: true }) defaultRuleChainId: string | null;
  @Column('uuid', { name: 'default_dashboard_id', nullable: true }) defaultDashboardId: string | null;
  @Column('varchar', { name: 'default_queue_name', length: 255, nullable: true }) defaultQueueName: string | null;
  @Column('uuid', { name: 'default_edge_rule_chain_id', nullable: true }) defaultEdgeRuleChainId: string | null;
  @Column('uuid', { name: 'firmware_id', nullable: true }) firmwareId: string | null;
  @Column('uuid', { name: 'software_id', nullable: true }) softwareId: string | null;
  @Column('uuid', { name: 'external_id', nullable: true }) externalId: string | null;
  @Column('text', { name: 'profile_data', transformer: jsonText }) profileData: JsonObject;
  @VersionColumn({ type: 'bigint', transformer: bigintAsNumber }) version: number;
}
