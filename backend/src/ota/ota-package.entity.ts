import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintAsNumber, jsonText, JsonObject } from '../database/column-transformers';
import type { ChecksumAlgorithm } from './checksum';

export type OtaPackageType = 'FIRMWARE' | 'SOFTWARE';
export const OTA_PACKAGE_TYPES: readonly OtaPackageType[] = ['FIRMWARE', 'SOFTWARE'];

/**
 * An OTA package (device-api.md §8.8): its description, and — once uploaded — what the binary in
 * `DATA_DIR/ota/<id>` is. A URL package has `url` and no binary.
 */
@Entity('ota_package')
export class OtaPackageEntity {
  @PrimaryColumn('uuid') id: string;
  @Column('bigint', { name: 'created_time', transformer: bigintAsNumber }) createdTime: number;
  @Column('uuid', { name: 'tenant_id' }) tenantId: string;
  @Column('uuid', { name: 'device_profile_id' }) deviceProfileId: string;
  @Column('varchar', { length: 32 }) type: OtaPackageType;
  @Column('varchar', { length: 255 }) title: string;
  @Column('varchar', { length: 255 }) version: string;
  @Column('varchar', { length: 255, nullable: true }) tag: string | null;
  @Column('varchar', { length: 255, nullable: true }) url: string | null;
  /** The binary is stored (a URL package never has one). */
  @Column('boolean', { name: 'has_data' }) hasData: boolean;
  @Column('varchar', { name: 'file_name', length: 255, nullable: true }) fileName: string | null;
  @Column('varchar', { name: 'content_type', length: 255, nullable: true }) contentType: string | null;
  @Column('varchar', { name: 'checksum_algorithm', length: 32, nullable: true }) checksumAlgorithm: ChecksumAlgorithm | null;
  @Column('varchar', { length: 1020, nullable: true }) checksum: string | null;
  @Column('bigint', { name: 'data_size', nullable: true, transformer: bigintAsNumber }) dataSize: number | null;
  @Column('text', { name: 'additional_info', nullable: true, transformer: jsonText }) additionalInfo: JsonObject | null;
}

/** Where a device's rollout of its assigned package stands (the rollout limit counts INITIATED ones). */
export type OtaRolloutStatus = 'QUEUED' | 'INITIATED' | 'FINISHED';

/**
 * The package a device was last told to install, per type: assignment changes are detected against it, and
 * the rollout limit works through its QUEUED rows oldest first.
 */
@Entity('ota_device_update')
export class OtaDeviceUpdateEntity {
  @PrimaryColumn('uuid', { name: 'device_id' }) deviceId: string;
  @PrimaryColumn('varchar', { name: 'ota_type', length: 32 }) type: OtaPackageType;
  @Column('uuid', { name: 'tenant_id' }) tenantId: string;
  @Column('uuid', { name: 'ota_package_id' }) otaPackageId: string;
  @Column('varchar', { length: 32 }) status: OtaRolloutStatus;
  @Column('bigint', { name: 'queued_time', transformer: bigintAsNumber }) queuedTime: number;
}
