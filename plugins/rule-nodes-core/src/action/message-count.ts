import { hostname } from 'node:os';
import type { RuleNodeDescriptor } from '@edgewise/plugin-api';

export interface MessageCountConfig {
  /** Seconds between two counts. */
  interval: number;
  telemetryPrefix: string;
}

/**
 * "message count": counts the messages it receives (and ends them there) and, every interval, emits a
 * POST_TELEMETRY_REQUEST from the tenant with `{"<prefix>_<service id>": count}` by Success. As in ThingsBoard
 * the key names the server that counted (its service id defaults to the host name there too), so each node
 * of a cluster reports its own count; metadata `delta` is the milliseconds the count covers.
 */
export const messageCountNode: RuleNodeDescriptor<MessageCountConfig> = {
  type: 'core/message-count',
  category: 'action',
  name: 'message count',
  description: 'Counts incoming messages and, every interval, emits the count as telemetry of the tenant.',
  relations: ['Success', 'Failure'],
  configSchema: {
    type: 'object',
    properties: {
      interval: { type: 'integer', minimum: 1, default: 1, title: 'Interval in seconds' },
      telemetryPrefix: { type: 'string', minLength: 1, default: 'messageCount', title: 'Output timeseries key prefix' },
    },
    required: ['interval', 'telemetryPrefix'],
  },
  defaultConfig: { interval: 1, telemetryPrefix: 'messageCount' },
  thingsboardClass: 'org.thingsboard.rule.engine.action.TbMsgCountNode',
  icon: 'functions',
  create(config, init) {
    if (!Number.isInteger(config.interval) || config.interval < 1) {
      throw new Error(`interval must be a whole number of seconds, at least 1 (was ${String(config.interval)})`);
    }
    if (!config.telemetryPrefix) throw new Error('Set the output timeseries key prefix (telemetryPrefix is empty)');
    const intervalMs = config.interval * 1000;
    const key = `${config.telemetryPrefix}_${hostname()}`;
    let count = 0;
    // Ticks are planned on a fixed grid from the start, so late timers do not make the counts drift.
    let nextTickAt = Date.now();
    let timer: NodeJS.Timeout | undefined;

    const scheduleTick = () => {
      nextTickAt += intervalMs;
      timer = setTimeout(tick, Math.max(0, nextTickAt - Date.now()));
    };
    const tick = () => {
      const now = Date.now();
      const countMsg = init.newMsg({
        type: 'POST_TELEMETRY_REQUEST',
        originator: { entityType: 'TENANT', id: init.tenantId },
        metadata: { delta: String(now - (nextTickAt - intervalMs)) },
        data: JSON.stringify({ [key]: count }),
      });
      count = 0;
      init.enqueueForTellNext(countMsg, 'Success').catch((error: unknown) => {
        init.log.error('message count: could not queue the count message', { error: String(error) });
      });
      scheduleTick();
    };
    scheduleTick();

    return {
      onMsg(msg, ctx) {
        count++;
        ctx.ack(msg);
      },
      destroy() {
        clearTimeout(timer);
      },
    };
  },
};
