import type { EntityType } from '@edgewise/plugin-api';

/**
 * Entity types by the name ThingsBoard's editor shows for them (EntityType.getNormalName): the "entity type
 * switch" routes by these names, so they must match exported chains letter for letter ("Entity View" keeps
 * its capital V in ThingsBoard for backward compatibility).
 */
export const ENTITY_TYPE_NAMES: Readonly<Record<EntityType, string>> = {
  TENANT: 'Tenant',
  CUSTOMER: 'Customer',
  USER: 'User',
  DASHBOARD: 'Dashboard',
  ASSET: 'Asset',
  ASSET_PROFILE: 'Asset profile',
  DEVICE: 'Device',
  DEVICE_PROFILE: 'Device profile',
  ENTITY_VIEW: 'Entity View',
  ALARM: 'Alarm',
  RULE_CHAIN: 'Rule chain',
  RULE_NODE: 'Rule node',
  EDGE: 'Edge',
  OTA_PACKAGE: 'Ota package',
  QUEUE: 'Queue',
};

export const ENTITY_TYPES = Object.keys(ENTITY_TYPE_NAMES) as EntityType[];

/** The display name of an entity type; a type unknown to this build gets ThingsBoard's generic spelling. */
export function entityTypeName(type: string): string {
  const known = (ENTITY_TYPE_NAMES as Record<string, string>)[type];
  if (known) return known;
  const words = type.toLowerCase().replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** JSON Schema of one entity type (as ThingsBoard writes it in configurations: `DEVICE`, `ASSET` …). */
export const entityTypeSchema = { type: 'string', enum: ENTITY_TYPES } as const;
