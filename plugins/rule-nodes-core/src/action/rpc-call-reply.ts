import type { RuleNodeDescriptor } from '@edgewise/plugin-api';

export interface RpcCallReplyConfig {
  /** Metadata keys that carry the device request's service, session and request ids (empty: the default name). */
  serviceIdMetaDataAttribute: string;
  sessionIdMetaDataAttribute: string;
  requestIdMetaDataAttribute: string;
}

const INT32_TEXT = /^[+-]?\d{1,10}$/;
const INT32_MAX = 2 ** 31 - 1;

/**
 * "rpc call reply": answers a device's own RPC request (TO_SERVER_RPC_REQUEST) with the message data, on the
 * session the request came from.
 */
export const rpcCallReplyNode: RuleNodeDescriptor<RpcCallReplyConfig> = {
  type: 'core/rpc-call-reply',
  category: 'action',
  name: 'rpc call reply',
  description: "Sends the message data as the reply to the originating device's RPC request (ids taken from metadata).",
  relations: ['Success', 'Failure'],
  configSchema: {
    type: 'object',
    properties: {
      serviceIdMetaDataAttribute: { type: 'string', default: 'serviceId', title: 'Service id metadata key' },
      sessionIdMetaDataAttribute: { type: 'string', default: 'sessionId', title: 'Session id metadata key' },
      requestIdMetaDataAttribute: { type: 'string', default: 'requestId', title: 'Request id metadata key' },
    },
  },
  defaultConfig: {
    serviceIdMetaDataAttribute: 'serviceId',
    sessionIdMetaDataAttribute: 'sessionId',
    requestIdMetaDataAttribute: 'requestId',
  },
  thingsboardClass: 'org.thingsboard.rule.engine.rpc.TbSendRPCReplyNode',
  icon: 'call_merge',
  create(config) {
    const serviceIdKey = config.serviceIdMetaDataAttribute || 'serviceId';
    const sessionIdKey = config.sessionIdMetaDataAttribute || 'sessionId';
    const requestIdKey = config.requestIdMetaDataAttribute || 'requestId';
    const missing = (what: string, key: string) =>
      `${what} is not present in the metadata! (expected in "${key}": reply only to TO_SERVER_RPC_REQUEST messages, or fix the key names)`;
    return {
      async onMsg(msg, ctx) {
        const { metadata } = msg;
        const requestIdText = metadata[requestIdKey];
        if (msg.originator.entityType !== 'DEVICE') {
          ctx.tellFailure(msg, `Message originator is not a device entity! (it is ${msg.originator.entityType})`);
        } else if (!requestIdText) {
          ctx.tellFailure(msg, missing('Request id', requestIdKey));
        } else if (!metadata[serviceIdKey]) {
          ctx.tellFailure(msg, missing('Service id', serviceIdKey));
        } else if (!metadata[sessionIdKey]) {
          ctx.tellFailure(msg, missing('Session id', sessionIdKey));
        } else if (!msg.data) {
          ctx.tellFailure(msg, 'Request body is empty! (the message data is the reply sent to the device)');
        } else if (!INT32_TEXT.test(requestIdText) || Math.abs(Number(requestIdText)) > INT32_MAX) {
          ctx.tellFailure(msg, `Request id "${requestIdText}" in metadata "${requestIdKey}" is not a whole number`);
        } else {
          await ctx.services.rpc.replyToDevice({
            deviceId: msg.originator.id,
            sessionId: metadata[sessionIdKey],
            requestId: Number(requestIdText),
            body: msg.data,
          });
          ctx.tellSuccess(msg);
        }
      },
    };
  },
};
