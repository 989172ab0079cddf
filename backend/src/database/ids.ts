import { randomUUID } from 'node:crypto';

/** ThingsBoard's "no customer" / "system" id. */
export const NULL_UUID = '13814000-1dd2-11b2-8080-808080808080';

export const newId = (): string => randomUUID();

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: string): boolean => UUID_PATTERN.test(value);

/** Entity types as ThingsBoard spells them in `{"entityType": …, "id": …}`. */
export type EntityType =
  | 'TENANT'
  | 'CUSTOMER'
  | 'USER'
  | 'DEVICE'
  | 'DEVICE_PROFILE'
  | 'ASSET'
  | 'RULE_CHAIN'
  | 'RULE_NODE'
  | 'DASHBOARD'
  | 'ALARM'
  | 'OTA_PACKAGE'
  | 'QUEUE'
  | 'RPC'
  | 'TB_RESOURCE';

export interface EntityIdJson {
  entityType: EntityType;
  id: string;
}

export const entityId = (entityType: EntityType, id: string): EntityIdJson => ({ entityType, id });
export const optionalEntityId = (entityType: EntityType, id: string | null | undefined): EntityIdJson | null =>
  id ? { entityType, id } : null;

/** "DEVICE_PROFILE" → "Device profile", as ThingsBoard names entities in messages. */
export const normalName = (entityType: EntityType): string => {
  const words = entityType.toLowerCase().replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
};
