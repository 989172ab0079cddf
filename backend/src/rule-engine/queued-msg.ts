import type { RuleMsg } from '@edgewise/plugin-api';

/**
 * A rule message as it travels on a queue: the message plus where it starts. Without `ruleChainId` it
 * starts at the tenant's root chain; with `resume` it continues from a node's outputs (a node handed it on
 * through `enqueueForTellNext`: generator, delay, checkpoint …).
 */
export interface QueuedMsg {
  tenantId: string;
  msg: RuleMsg;
  ruleChainId?: string;
  resume?: { ruleNodeId: string; relation: string };
}
