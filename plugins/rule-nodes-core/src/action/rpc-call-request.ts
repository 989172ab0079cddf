import type { RuleNodeDescriptor } from '@edgewise/plugin-api';
import { isTrueText, parseWholeNumber, requireDataObject } from './message-values';

export interface RpcCallRequestConfig {
  /** How long the device has to answer, unless metadata `expirationTime` says otherwise. */
  timeoutInSeconds: number;
}

/** ThingsBoard's text for a JSON value it passes on as a string: a string as is, anything else as JSON. */
function textOf(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * "rpc call request": sends `{"method": …, "params": …}` from the data to the originating device and forwards
 * the device's answer as the data by Success, or `{"error": "<reason>"}` by Failure.
 *
 * Like ThingsBoard, any message type is accepted (a REST API call arrives as RPC_CALL_FROM_SERVER_TO_DEVICE,
 * but chains also build requests from telemetry); metadata `oneway`, `persistent`, `requestUUID` and
 * `expirationTime` shape the call, data `additionalInfo` is kept with persistent calls.
 */
export const rpcCallRequestNode: RuleNodeDescriptor<RpcCallRequestConfig> = {
  type: 'core/rpc-call-request',
  category: 'action',
  name: 'rpc call request',
  description: "Sends the message's RPC request (method and params) to the originating device and forwards the device's response.",
  relations: ['Success', 'Failure'],
  configSchema: {
    type: 'object',
    properties: {
      timeoutInSeconds: { type: 'integer', minimum: 0, default: 60, title: 'Timeout in seconds' },
    },
    required: ['timeoutInSeconds'],
  },
  defaultConfig: { timeoutInSeconds: 60 },
  thingsboardClass: 'org.thingsboard.rule.engine.rpc.TbSendRPCRequestNode',
  icon: 'call_made',
  create(config) {
    const defaultTimeoutMs = config.timeoutInSeconds * 1000;
    return {
      async onMsg(msg, ctx) {
        if (msg.originator.entityType !== 'DEVICE') {
          ctx.tellFailure(
            msg,
            `Message originator is not a device entity! (it is ${msg.originator.entityType}; change the originator to the device first)`,
          );
          return;
        }
        const request = requireDataObject(msg, 'an RPC request {"method": …, "params": …}');
        if (!Object.hasOwn(request, 'method')) {
          ctx.tellFailure(msg, 'Method is not present in the message! (data must be {"method": …, "params": …})');
          return;
        }
        if (!Object.hasOwn(request, 'params')) {
          ctx.tellFailure(msg, 'Params are not present in the message! (data must be {"method": …, "params": …})');
          return;
        }
        const { method } = request;
        if (typeof method !== 'string' && typeof method !== 'number' && typeof method !== 'boolean') {
          ctx.tellFailure(msg, `The RPC method must be a string, got ${JSON.stringify(method)}`);
          return;
        }
        let timeoutMs = defaultTimeoutMs;
        const expirationText = msg.metadata.expirationTime;
        if (expirationText) {
          const expirationTime = parseWholeNumber(expirationText);
          if (expirationTime === undefined) {
            ctx.tellFailure(msg, `Metadata "expirationTime" must be epoch milliseconds, got "${expirationText}"`);
            return;
          }
          timeoutMs = Math.max(0, expirationTime - Date.now());
        }
        // As in ThingsBoard, the queue is done with the request now (the device may take a minute to answer);
        // the answer or the failure is queued and continues from this node's outputs.
        ctx.ack(msg);
        const result = await ctx.services.rpc
          .sendToDevice({
            deviceId: msg.originator.id,
            method: String(method),
            params: JSON.stringify(request.params),
            oneway: isTrueText(msg.metadata.oneway),
            persistent: isTrueText(msg.metadata.persistent),
            timeoutMs,
            requestUUID: msg.metadata.requestUUID || undefined,
            additionalInfo: request.additionalInfo === undefined ? undefined : textOf(request.additionalInfo),
          })
          .catch((e: unknown) => ({ error: e instanceof Error ? e.message : String(e), response: undefined }));
        if (result.error) {
          await ctx.enqueueForTellNext(ctx.transformMsg(msg, { data: JSON.stringify({ error: result.error }) }), 'Failure');
          return;
        }
        await ctx.enqueueForTellNext(ctx.transformMsg(msg, { data: result.response ?? '{}' }), 'Success');
      },
    };
  },
};
