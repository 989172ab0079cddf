import type { RuleNodeDescriptor } from '@edgewise/plugin-api';
import { metadataTs, parseWholeNumber, unsupportedMsgType } from './message-values';
import { ON_EVERY_MESSAGE, processingSettingsSchema, skipRuleOf, type ProcessingSettings } from './processing-settings';

export interface SaveTimeseriesConfig {
  /** Seconds; 0 leaves it to the tenant's default. Metadata `TTL` overrides it per message. */
  defaultTTL: number;
  useServerTs: boolean;
  processingSettings: ProcessingSettings;
}

/** What version 0 stored as `skipLatestPersistence: true`: everything but the latest values. */
const SKIP_LATEST: ProcessingSettings = {
  type: 'ADVANCED',
  timeseries: { type: 'ON_EVERY_MESSAGE' },
  latest: { type: 'SKIP' },
  webSockets: { type: 'ON_EVERY_MESSAGE' },
  calculatedFields: { type: 'ON_EVERY_MESSAGE' },
};

/**
 * "save time series": stores the telemetry of a POST_TELEMETRY_REQUEST for its originator. On the hot path of
 * every telemetry message, so it does no more than it must: the timeseries service parses the data, options
 * are allocated only when metadata sets a TTL.
 */
export const saveTimeseriesNode: RuleNodeDescriptor<SaveTimeseriesConfig> = {
  type: 'core/save-timeseries',
  category: 'action',
  name: 'save time series',
  description: "Stores the message's telemetry for its originator, with a time-to-live, and updates latest values and live subscribers.",
  relations: ['Success', 'Failure'],
  configSchema: {
    type: 'object',
    properties: {
      defaultTTL: { type: 'integer', minimum: 0, default: 0, title: 'Default TTL in seconds (0: the tenant default)' },
      useServerTs: { type: 'boolean', default: false, title: "Use the server's time instead of the message's ts" },
      processingSettings: processingSettingsSchema(['timeseries', 'latest', 'webSockets', 'calculatedFields']),
    },
    required: ['processingSettings'],
  },
  defaultConfig: { defaultTTL: 0, useServerTs: false, processingSettings: ON_EVERY_MESSAGE },
  configVersion: 1,
  upgrade(fromVersion, oldConfig) {
    if (fromVersion >= 1) return oldConfig;
    const { skipLatestPersistence, ...config } = oldConfig;
    return { ...config, processingSettings: String(skipLatestPersistence) === 'true' ? SKIP_LATEST : ON_EVERY_MESSAGE };
  },
  thingsboardClass: 'org.thingsboard.rule.engine.telemetry.TbMsgTimeseriesNode',
  icon: 'file_upload',
  create(config) {
    // Calculated fields do not exist here, so their strategy does not matter.
    const skips = skipRuleOf(config.processingSettings, ['timeseries', 'latest', 'webSockets']);
    const useServerTs = config.useServerTs === true;
    const defaultOptions = config.defaultTTL > 0 ? { ttlSeconds: config.defaultTTL } : undefined;
    return {
      async onMsg(msg, ctx) {
        if (msg.type !== 'POST_TELEMETRY_REQUEST') {
          ctx.tellFailure(msg, unsupportedMsgType(msg, 'POST_TELEMETRY_REQUEST'));
          return;
        }
        const ts = useServerTs ? Date.now() : metadataTs(msg);
        if (skips(ts, msg.originator.id)) {
          ctx.tellSuccess(msg);
          return;
        }
        let options = defaultOptions;
        const ttlText = msg.metadata.TTL;
        if (ttlText) {
          const ttl = parseWholeNumber(ttlText);
          if (ttl === undefined) {
            ctx.tellFailure(msg, `Metadata "TTL" must be a whole number of seconds, got "${ttlText}": fix or remove it upstream`);
            return;
          }
          // As in ThingsBoard, a TTL of 0 means the tenant's default.
          options = ttl > 0 ? { ttlSeconds: ttl } : undefined;
        }
        await ctx.services.timeseries.save(msg.originator, msg.data, ts, options);
        ctx.tellSuccess(msg);
      },
    };
  },
};
