import type { RuleNodeDescriptor } from '@edgewise/plugin-api';
import { fillTemplate } from '../transformation/templates';
import {
  customerNamePatternSchema,
  requireAssignableOriginator,
  upgradeCustomerActionConfig,
  type CustomerActionConfig,
} from './customer-action';

export interface AssignToCustomerConfig extends CustomerActionConfig {
  createCustomerIfNotExists: boolean;
}

/** "assign to customer": assigns the originator to the customer with the given title (created when allowed). */
export const assignToCustomerNode: RuleNodeDescriptor<AssignToCustomerConfig> = {
  type: 'core/assign-to-customer',
  category: 'action',
  name: 'assign to customer',
  description: 'Assigns the originator (device, asset, entity view, dashboard or edge) to the customer with the given title.',
  relations: ['Success', 'Failure'],
  configSchema: {
    type: 'object',
    properties: {
      customerNamePattern: customerNamePatternSchema,
      createCustomerIfNotExists: { type: 'boolean', default: false, title: "Create a new customer if it doesn't exist" },
    },
    required: ['customerNamePattern'],
  },
  defaultConfig: { customerNamePattern: '', createCustomerIfNotExists: false },
  configVersion: 1,
  upgrade: upgradeCustomerActionConfig,
  thingsboardClass: 'org.thingsboard.rule.engine.action.TbAssignToCustomerNode',
  icon: 'add_circle',
  create(config) {
    if (!config.customerNamePattern) throw new Error('Set the customer title (customerNamePattern is empty)');
    return {
      async onMsg(msg, ctx) {
        requireAssignableOriginator(msg);
        const title = fillTemplate(config.customerNamePattern, msg);
        await ctx.services.entities.assignToCustomer(msg.originator, title, { createIfMissing: config.createCustomerIfNotExists });
        ctx.tellSuccess(msg);
      },
    };
  },
};
