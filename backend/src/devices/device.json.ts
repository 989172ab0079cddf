import type { JsonObject } from '../database/column-transformers';
import { entityId, NULL_UUID, optionalEntityId } from '../database/ids';
import type { DeviceCredentialsEntity, DeviceEntity } from './device.entity';

export const defaultDeviceData = (): JsonObject => ({ configuration: { type: 'DEFAULT' }, transportConfiguration: { type: 'DEFAULT' } });

/** Device as ThingsBoard serialises it (device-api.md §8.3). */
export function deviceJson(d: DeviceEntity) {
  return {
    id: entityId('DEVICE', d.id),
    createdTime: d.createdTime,
    tenantId: entityId('TENANT', d.tenantId),
    customerId: entityId('CUSTOMER', d.customerId ?? NULL_UUID),
    name: d.name,
    type: d.type,
    label: d.label,
    deviceProfileId: entityId('DEVICE_PROFILE', d.deviceProfileId),
    deviceData: d.deviceData ?? defaultDeviceData(),
    firmwareId: optionalEntityId('OTA_PACKAGE', d.firmwareId),
    softwareId: optionalEntityId('OTA_PACKAGE', d.softwareId),
    externalId: optionalEntityId('DEVICE', d.externalId),
    version: d.version,
    additionalInfo: d.additionalInfo ?? {},
  };
}

/** DeviceInfo: the device plus the names the device table shows. */
export interface DeviceInfoExtras {
  customerTitle: string | null;
  customerIsPublic: boolean;
  deviceProfileName: string;
  active: boolean;
}

export const deviceInfoJson = (d: DeviceEntity, extras: DeviceInfoExtras) => ({ ...deviceJson(d), ...extras });

/** DeviceCredentials (device-api.md §0.4). */
export function deviceCredentialsJson(c: DeviceCredentialsEntity) {
  return {
    id: { id: c.id },
    createdTime: c.createdTime,
    deviceId: entityId('DEVICE', c.deviceId),
    credentialsType: c.credentialsType,
    credentialsId: c.credentialsId,
    credentialsValue: c.credentialsValue,
    version: c.version,
  };
}
