import type { EntityManager } from 'typeorm';
import { newId } from '../database/ids';
import { generateAccessToken, normalizeCredentials } from './device-credentials.rules';
import { DeviceCredentialsEntity, DeviceEntity } from './device.entity';
import { defaultDeviceData } from './device.json';

/** Credentials in their stored form (`normalizeCredentials`). */
export type StoredCredentials = ReturnType<typeof normalizeCredentials>;

/** A generated access token: the credentials a device gets when nobody chose others. */
export const generatedAccessToken = (): StoredCredentials => ({
  credentialsType: 'ACCESS_TOKEN',
  credentialsId: generateAccessToken(),
  credentialsValue: null,
});

/** What one new device differs in; unless given, it has no label and no OTA packages, and the default device data. */
export type NewDevice = Pick<DeviceEntity, 'tenantId' | 'customerId' | 'name' | 'type' | 'deviceProfileId' | 'additionalInfo'> &
  Partial<Pick<DeviceEntity, 'label' | 'deviceData' | 'firmwareId' | 'softwareId'>>;

/**
 * Writes a new device and its credentials through `tx`, the transaction they share: credentials another device
 * has (a unique violation) leave no device behind. Every way of creating a device (REST, gateway, provisioning)
 * goes through here.
 */
export async function insertDeviceWithCredentials(
  tx: EntityManager,
  fields: NewDevice,
  credentials: StoredCredentials,
): Promise<{ device: DeviceEntity; credentials: DeviceCredentialsEntity }> {
  const createdTime = Date.now();
  const device = await tx.getRepository(DeviceEntity).save({
    id: newId(),
    createdTime,
    label: null,
    deviceData: defaultDeviceData(),
    firmwareId: null,
    softwareId: null,
    externalId: null,
    ...fields,
  });
  const stored = { id: newId(), createdTime, deviceId: device.id, version: 1, ...credentials };
  await tx.getRepository(DeviceCredentialsEntity).insert(stored);
  return { device, credentials: stored as DeviceCredentialsEntity };
}
