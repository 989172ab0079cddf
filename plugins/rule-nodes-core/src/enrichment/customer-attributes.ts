import { entityDataNode, type EntityDataConfig } from './entity-data';

/** "customer attributes": adds server attributes or latest telemetry of the originator's customer. */
export const customerAttributesNode = entityDataNode<EntityDataConfig>({
  type: 'core/customer-attributes',
  name: 'customer attributes',
  description:
    'Adds server attributes or latest telemetry of the customer the originator is assigned to (or of the originator itself when it is a customer), e.g. per-customer thresholds.',
  thingsboardClass: 'org.thingsboard.rule.engine.metadata.TbGetCustomerAttributeNode',
  supported: ['ATTRIBUTES', 'LATEST_TELEMETRY'],
  defaultConfig: { dataMapping: { alarmThreshold: 'threshold' }, dataToFetch: 'ATTRIBUTES', fetchTo: 'METADATA' },
  async findEntity(msg, ctx) {
    if (msg.originator.entityType === 'CUSTOMER') return msg.originator;
    const originator = await ctx.services.entities.get(msg.originator);
    if (!originator) throw new Error(`Originator not found (${msg.originator.entityType} ${msg.originator.id}): it may have been deleted`);
    if (!originator.customerId)
      throw new Error('Originator is not assigned to any customer: assign it to one, or route such messages around this node');
    return { entityType: 'CUSTOMER', id: originator.customerId };
  },
});
