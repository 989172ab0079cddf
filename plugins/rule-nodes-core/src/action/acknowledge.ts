import type { RuleNodeDescriptor } from '@edgewise/plugin-api';

/**
 * "acknowledge": marks the message processed on its queue at once, then passes it on by Success. What the
 * following nodes do with it no longer affects the queue (no retries), as in ThingsBoard.
 */
export const acknowledgeNode: RuleNodeDescriptor<Record<string, unknown>> = {
  type: 'core/acknowledge',
  category: 'flow',
  name: 'acknowledge',
  description: 'Acknowledges the message on its queue, then forwards it; useful when the outcome of the rest of the chain does not matter.',
  relations: ['Success', 'Failure'],
  configSchema: { type: 'object', properties: {} },
  defaultConfig: { version: 0 },
  thingsboardClass: 'org.thingsboard.rule.engine.flow.TbAckNode',
  icon: 'done_all',
  create() {
    return {
      onMsg(msg, ctx) {
        ctx.ack(msg);
        ctx.tellSuccess(msg);
      },
    };
  },
};
