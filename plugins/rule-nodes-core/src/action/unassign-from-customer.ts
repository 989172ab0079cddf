import type { RuleNodeDescriptor } from '@edgewise/plugin-api';
import {
  customerNamePatternSchema,
  requireAssignableOriginator,
  upgradeCustomerActionConfig,
  type CustomerActionConfig,
} from './customer-action';

/**
 * "unassign from customer": makes the originator the tenant's own again; an unassigned one stays as it is.
 * ThingsBoard also unassigns a dashboard from the customer named by `customerNamePattern` (dashboards can be
 * shared with several customers); that is not supported yet and fails with a reason.
 */
export const unassignFromCustomerNode: RuleNodeDescriptor<CustomerActionConfig> = {
  type: 'core/unassign-from-customer',
  category: 'action',
  name: 'unassign from customer',
  description: 'Unassigns the originator from its customer; the customer title is only used for dashboards.',
  relations: ['Success', 'Failure'],
  configSchema: {
    type: 'object',
    properties: { customerNamePattern: customerNamePatternSchema },
  },
  defaultConfig: { customerNamePattern: '' },
  configVersion: 1,
  upgrade: upgradeCustomerActionConfig,
  thingsboardClass: 'org.thingsboard.rule.engine.action.TbUnassignFromCustomerNode',
  icon: 'remove_circle',
  create() {
    return {
      async onMsg(msg, ctx) {
        requireAssignableOriginator(msg);
        if (msg.originator.entityType === 'DASHBOARD') {
          throw new Error('Unassigning dashboards from a customer is not supported yet: unassign the dashboard in the admin');
        }
        await ctx.services.entities.unassignFromCustomer(msg.originator);
        ctx.tellSuccess(msg);
      },
    };
  },
};
