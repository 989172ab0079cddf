import type { RuleNodeDescriptor } from '@edgewise/plugin-api';

/** "output": returns from a called chain; the caller's "rule chain" node emits this node's name as the relation. */
export const outputNode: RuleNodeDescriptor<Record<string, never>> = {
  type: 'core/output',
  category: 'flow',
  name: 'output',
  description: 'Returns the message to the chain that called this one, by a relation named after this node.',
  relations: [],
  outEnabled: false,
  configSchema: { type: 'object', properties: {} },
  defaultConfig: {},
  thingsboardClass: 'org.thingsboard.rule.engine.flow.TbRuleChainOutputNode',
  icon: 'output',
  create() {
    return {
      onMsg(msg, ctx) {
        ctx.returnFromChain(msg, ctx.self.name);
      },
    };
  },
};
