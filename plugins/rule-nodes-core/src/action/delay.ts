import type { RuleMsg, RuleNodeDescriptor } from '@edgewise/plugin-api';
import { fillTemplate } from '../transformation/templates';

export interface DelayConfig {
  periodInSeconds: number;
  /** Template giving the period per message (`${metadataKey}` or `$[dataKey]`), used when the flag below is set. */
  periodInSecondsPattern: string | null;
  useMetadataPeriodInSecondsPatterns: boolean;
  maxPendingMsgs: number;
}

const INT_TEXT = /^[+-]?\d{1,9}$/;

/**
 * "delay (deprecated)": holds each message in memory for a period, ends the original at once and hands a
 * copy (new id) on by Success when the period is over. Deprecated in ThingsBoard because held messages are
 * lost on restart; kept so that chains using it still import.
 */
export const delayNode: RuleNodeDescriptor<DelayConfig> = {
  type: 'core/delay',
  category: 'action',
  name: 'delay (deprecated)',
  description: 'Holds messages in memory for a period and then forwards them. Held messages are lost on restart: prefer other designs.',
  relations: ['Success', 'Failure'],
  configSchema: {
    type: 'object',
    properties: {
      periodInSeconds: { type: 'integer', minimum: 0, default: 60, title: 'Period in seconds' },
      useMetadataPeriodInSecondsPatterns: { type: 'boolean', default: false, title: 'Take the period from the message' },
      periodInSecondsPattern: { type: ['string', 'null'], default: null, title: 'Period in seconds pattern (e.g. ${delay} or $[delay])' },
      maxPendingMsgs: { type: 'integer', minimum: 1, maximum: 100000, default: 1000, title: 'Maximum pending messages' },
    },
    required: ['periodInSeconds', 'maxPendingMsgs'],
  },
  defaultConfig: { periodInSeconds: 60, maxPendingMsgs: 1000, periodInSecondsPattern: null, useMetadataPeriodInSecondsPatterns: false },
  thingsboardClass: 'org.thingsboard.rule.engine.delay.TbMsgDelayNode',
  icon: 'pause',
  create(config, init) {
    const pattern = config.periodInSecondsPattern ?? '';
    if (config.useMetadataPeriodInSecondsPatterns && !pattern) {
      throw new Error('Set the period pattern (periodInSecondsPattern), or turn off "useMetadataPeriodInSecondsPatterns"');
    }
    const pending = new Set<NodeJS.Timeout>();

    const periodMsOf = (msg: RuleMsg): number => {
      if (!config.useMetadataPeriodInSecondsPatterns) return config.periodInSeconds * 1000;
      const text = fillTemplate(pattern, msg);
      if (!INT_TEXT.test(text)) {
        throw new Error(
          `Can't parse period in seconds from metadata using pattern: ${pattern} (it gave "${text}"; a whole number is needed)`,
        );
      }
      return Number(text) * 1000;
    };

    const release = (msg: RuleMsg) => {
      const copy = init.newMsg({
        type: msg.type,
        originator: msg.originator,
        customerId: msg.customerId,
        metadata: { ...msg.metadata },
        data: msg.data,
        dataType: msg.dataType,
        queueName: msg.queueName,
      });
      init.enqueueForTellNext(copy, 'Success').catch((error: unknown) => {
        init.log.error('delay: could not queue a delayed message; it is lost', { msgId: msg.id, error: String(error) });
      });
    };

    return {
      onMsg(msg, ctx) {
        const periodMs = periodMsOf(msg);
        if (pending.size >= config.maxPendingMsgs) {
          ctx.tellFailure(
            msg,
            `Max limit of pending messages reached! (${config.maxPendingMsgs}; raise maxPendingMsgs or send fewer messages here)`,
          );
          return;
        }
        const timer = setTimeout(
          () => {
            pending.delete(timer);
            release(msg);
          },
          Math.max(0, periodMs),
        );
        pending.add(timer);
        ctx.ack(msg);
      },
      destroy() {
        for (const timer of pending) clearTimeout(timer);
        pending.clear();
      },
    };
  },
};
