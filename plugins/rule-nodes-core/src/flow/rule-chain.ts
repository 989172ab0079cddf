import type { RuleNodeDescriptor } from '@edgewise/plugin-api';

export interface RuleChainNodeConfig {
  ruleChainId: string;
  /** Use the originator's device-profile chain instead, when it has one. */
  forwardMsgToDefaultRuleChain: boolean;
}

/** "rule chain": continues in another chain; that chain's "output" nodes return here by their names. */
export const ruleChainNode: RuleNodeDescriptor<RuleChainNodeConfig> = {
  type: 'core/rule-chain',
  category: 'flow',
  name: 'rule chain',
  description: 'Forwards the message to another rule chain; the labels of its output nodes become this node\u2019s relations.',
  relations: ['Success', 'Failure'],
  customRelations: true,
  configSchema: {
    type: 'object',
    properties: {
      ruleChainId: { type: 'string', format: 'uuid', title: 'Rule chain' },
      forwardMsgToDefaultRuleChain: { type: 'boolean', title: "Forward to the originator's device-profile rule chain when it has one" },
    },
    required: ['ruleChainId'],
  },
  defaultConfig: { ruleChainId: '', forwardMsgToDefaultRuleChain: false },
  thingsboardClass: 'org.thingsboard.rule.engine.flow.TbRuleChainInputNode',
  icon: 'input',
  create(config) {
    if (!config.ruleChainId) throw new Error('Choose the rule chain to forward to (ruleChainId is empty)');
    return {
      async onMsg(msg, ctx) {
        let target = config.ruleChainId;
        if (config.forwardMsgToDefaultRuleChain && msg.originator.entityType === 'DEVICE') {
          const profile = await ctx.services.entities.deviceProfileOf(msg.originator.id);
          if (profile?.defaultRuleChainId) target = profile.defaultRuleChainId;
        }
        ctx.callChain(msg, target);
      },
    };
  },
};
