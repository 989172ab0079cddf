import { entityDataNode, type EntityDataConfig } from './entity-data';

/** "tenant attributes": adds server attributes or latest telemetry of the tenant the message belongs to. */
export const tenantAttributesNode = entityDataNode<EntityDataConfig>({
  type: 'core/tenant-attributes',
  name: 'tenant attributes',
  description:
    'Adds server attributes or latest telemetry of the tenant to the message or its metadata, e.g. settings shared by all its devices.',
  thingsboardClass: 'org.thingsboard.rule.engine.metadata.TbGetTenantAttributeNode',
  supported: ['ATTRIBUTES', 'LATEST_TELEMETRY'],
  defaultConfig: { dataMapping: { alarmThreshold: 'threshold' }, dataToFetch: 'ATTRIBUTES', fetchTo: 'METADATA' },
  findEntity: async (_msg, ctx) => ({ entityType: 'TENANT', id: ctx.tenantId }),
});
