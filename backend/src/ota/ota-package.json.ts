import { entityId, optionalEntityId } from '../database/ids';
import type { OtaPackageEntity } from './ota-package.entity';

/** OtaPackageInfo as ThingsBoard serialises it (device-api.md §8.8). `hasData` is true for URL packages too, as there. */
export function otaPackageInfoJson(p: OtaPackageEntity) {
  return {
    id: entityId('OTA_PACKAGE', p.id),
    createdTime: p.createdTime,
    tenantId: entityId('TENANT', p.tenantId),
    deviceProfileId: optionalEntityId('DEVICE_PROFILE', p.deviceProfileId),
    type: p.type,
    title: p.title,
    version: p.version,
    tag: p.tag,
    url: p.url,
    hasData: p.hasData || !!p.url,
    fileName: p.fileName,
    contentType: p.contentType,
    checksumAlgorithm: p.checksumAlgorithm,
    checksum: p.checksum,
    dataSize: p.dataSize,
    externalId: null,
    name: p.title,
    additionalInfo: p.additionalInfo ?? {},
  };
}
