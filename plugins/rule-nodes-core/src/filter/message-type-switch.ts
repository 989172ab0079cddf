import { MSG_TYPE_RELATIONS, msgTypeRelation, RELATION, type RuleNodeDescriptor } from '@edgewise/plugin-api';

/** "message type switch": routes each message by the connection label of its type; custom types go to Other. */
export const messageTypeSwitchNode: RuleNodeDescriptor<Record<string, never>> = {
  type: 'core/message-type-switch',
  category: 'filter',
  name: 'message type switch',
  description:
    'Routes each message by its type ("Post telemetry", "Post attributes", "RPC Request from Device" …); custom types leave by Other.',
  relations: [...new Set([...Object.values(MSG_TYPE_RELATIONS), RELATION.OTHER, RELATION.FAILURE])],
  configSchema: { type: 'object', properties: {} },
  defaultConfig: {},
  thingsboardClass: 'org.thingsboard.rule.engine.filter.TbMsgTypeSwitchNode',
  icon: 'filter_list',
  create() {
    return {
      onMsg(msg, ctx) {
        ctx.tellNext(msg, msgTypeRelation(msg.type));
      },
    };
  },
};
