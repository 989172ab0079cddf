import { RELATION, type RuleNodeDescriptor } from '@edgewise/plugin-api';

export interface MessageTypeFilterConfig {
  /** Message types (e.g. POST_TELEMETRY_REQUEST, or a custom type) that leave by True. */
  messageTypes: string[];
}

/** "message type filter": True when the message type is one of the configured ones. */
export const messageTypeFilterNode: RuleNodeDescriptor<MessageTypeFilterConfig> = {
  type: 'core/message-type-filter',
  category: 'filter',
  name: 'message type filter',
  description: 'Sends the message by True when its type is one of the selected types, otherwise by False.',
  relations: [RELATION.TRUE, RELATION.FALSE, RELATION.FAILURE],
  configSchema: {
    type: 'object',
    properties: {
      messageTypes: {
        type: 'array',
        title: 'Message types',
        description: 'Types such as POST_TELEMETRY_REQUEST, or any custom type a script sets',
        items: { type: 'string', minLength: 1 },
      },
    },
    required: ['messageTypes'],
  },
  defaultConfig: { messageTypes: ['POST_ATTRIBUTES_REQUEST', 'POST_TELEMETRY_REQUEST', 'TO_SERVER_RPC_REQUEST'] },
  thingsboardClass: 'org.thingsboard.rule.engine.filter.TbMsgTypeFilterNode',
  icon: 'filter_list',
  create(config) {
    const accepted = new Set(config.messageTypes);
    return {
      onMsg(msg, ctx) {
        ctx.tellNext(msg, accepted.has(msg.type) ? RELATION.TRUE : RELATION.FALSE);
      },
    };
  },
};
