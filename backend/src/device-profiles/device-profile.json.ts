import { entityId, optionalEntityId } from '../database/ids';
import type { DeviceProfileEntity } from './device-profile.entity';

/** DeviceProfile as ThingsBoard serialises it (rest-api.md §1.2). */
export function deviceProfileJson(p: DeviceProfileEntity) {
  return {
    id: entityId('DEVICE_PROFILE', p.id),
    createdTime: p.createdTime,
    tenantId: entityId('TENANT', p.tenantId),
    name: p.name,
    description: p.description,
    image: p.image,
    type: p.type,
    transportType: p.transportType,
    provisionType: p.provisionType,
    defaultRuleChainId: optionalEntityId('RULE_CHAIN', p.defaultRuleChainId),
    defaultDashboardId: optionalEntityId('DASHBOARD', p.defaultDashboardId),
    defaultQueueName: p.defaultQueueName,
    defaultEdgeRuleChainId: optionalEntityId('RULE_CHAIN', p.defaultEdgeRuleChainId),
    provisionDeviceKey: p.provisionDeviceKey,
    firmwareId: optionalEntityId('OTA_PACKAGE', p.firmwareId),
    softwareId: optionalEntityId('OTA_PACKAGE', p.softwareId),
    externalId: optionalEntityId('DEVICE_PROFILE', p.externalId),
    version: p.version,
    default: p.isDefault,
    profileData: p.profileData,
  };
}

/** DeviceProfileInfo (rest-api.md §1.5). */
export function deviceProfileInfoJson(p: DeviceProfileEntity) {
  return {
    id: entityId('DEVICE_PROFILE', p.id),
    name: p.name,
    image: p.image,
    defaultDashboardId: optionalEntityId('DASHBOARD', p.defaultDashboardId),
    type: p.type,
    transportType: p.transportType,
    tenantId: entityId('TENANT', p.tenantId),
  };
}

export const defaultProfileData = () => ({
  configuration: { type: 'DEFAULT' },
  transportConfiguration: { type: 'DEFAULT' },
  provisionConfiguration: { type: 'DISABLED', provisionDeviceSecret: null },
  alarms: null,
});
