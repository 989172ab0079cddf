import type { RuleNodeDescriptor } from '@edgewise/plugin-api';
import { requireJsonData } from './msg-data';

/** ThingsBoard's empty node configuration. */
export interface SplitArrayConfig {
  version?: number;
}

/** "split array msg": one message per element of a JSON array. */
export const splitArrayNode: RuleNodeDescriptor<SplitArrayConfig> = {
  type: 'core/split-array-msg',
  category: 'transformation',
  name: 'split array msg',
  description:
    'Splits a message whose data is a JSON array into one message per element, each with the type, originator and metadata of the original.',
  relations: ['Success', 'Failure'],
  configSchema: { type: 'object', properties: { version: { type: 'integer', title: 'Configuration version' } } },
  defaultConfig: { version: 0 },
  thingsboardClass: 'org.thingsboard.rule.engine.transform.TbSplitArrayMsgNode',
  icon: 'content_copy',
  create() {
    return {
      onMsg(msg, ctx) {
        const elements = requireJsonData(msg, 'split array msg expects an array such as [{"temperature":21},{"temperature":22}]');
        if (!Array.isArray(elements)) {
          throw new Error(
            'Message data is not a JSON array: split array msg expects an array such as [{"temperature":21},{"temperature":22}]',
          );
        }
        if (!elements.length) return ctx.ack(msg);
        if (elements.length === 1) return ctx.tellSuccess(ctx.transformMsg(msg, { data: JSON.stringify(elements[0]) }));
        // Fan-out in one synchronous step; like ThingsBoard, each part is a message of its own (a new id).
        for (const element of elements) {
          ctx.tellSuccess(
            ctx.newMsg({
              type: msg.type,
              originator: msg.originator,
              customerId: msg.customerId,
              metadata: { ...msg.metadata },
              data: JSON.stringify(element),
              dataType: msg.dataType,
              queueName: msg.queueName,
            }),
          );
        }
      },
    };
  },
};
