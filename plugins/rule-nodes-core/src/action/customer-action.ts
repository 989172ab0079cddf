/** What "assign to customer" and "unassign from customer" share. */

import type { EntityType, RuleMsg } from '@edgewise/plugin-api';

/** Originators ThingsBoard lets these nodes (un)assign. */
const ASSIGNABLE_TYPES: readonly EntityType[] = ['ASSET', 'DEVICE', 'ENTITY_VIEW', 'DASHBOARD', 'EDGE'];

export interface CustomerActionConfig {
  /** Title of the customer (templates allowed). */
  customerNamePattern: string;
}

export const customerNamePatternSchema = { type: 'string', default: '', title: 'Customer title (templates allowed)' };

/** Throws ThingsBoard's failure for an originator that cannot belong to a customer. */
export function requireAssignableOriginator(msg: RuleMsg): void {
  if (!ASSIGNABLE_TYPES.includes(msg.originator.entityType)) {
    throw new Error(`Unsupported originator type '${msg.originator.entityType}'! Only ${ASSIGNABLE_TYPES.join(', ')} types are allowed.`);
  }
}

/** Version 0 also held `customerCacheExpiration`, which no longer means anything. */
export function upgradeCustomerActionConfig(fromVersion: number, oldConfig: Record<string, unknown>): Record<string, unknown> {
  if (fromVersion >= 1) return oldConfig;
  const { customerCacheExpiration: _gone, ...config } = oldConfig;
  return config;
}
