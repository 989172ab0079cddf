/**
 * ThingsBoard's processing settings of the save nodes (`processingSettings` in save time series / save
 * attributes): which messages are stored.
 *
 * - ON_EVERY_MESSAGE: every message.
 * - DEDUPLICATE: only the first message of each originator within each interval of `deduplicationIntervalSecs`
 *   (the interval a message falls in is decided by its timestamp, as in ThingsBoard).
 * - ADVANCED: one strategy per action. Supported when the storage actions (values, latest values, WebSocket
 *   notifications) share one strategy, because our storage services do them together; calculated fields do
 *   not exist here, so their strategy is ignored.
 * - WEBSOCKETS_ONLY (notify subscribers without storing) is not supported yet: the storage services have no
 *   notify-only call. A node configured so refuses to start with a reason instead of silently storing.
 */

export type ProcessingStrategyType = 'ON_EVERY_MESSAGE' | 'DEDUPLICATE' | 'SKIP';

export interface ProcessingStrategy {
  type: ProcessingStrategyType;
  deduplicationIntervalSecs?: number;
}

export interface ProcessingSettings {
  type: 'ON_EVERY_MESSAGE' | 'DEDUPLICATE' | 'WEBSOCKETS_ONLY' | 'ADVANCED';
  deduplicationIntervalSecs?: number;
  /** ADVANCED: one strategy per action (`timeseries`, `latest`, `attributes`, `webSockets`, `calculatedFields`). */
  [action: string]: unknown;
}

export const ON_EVERY_MESSAGE: ProcessingSettings = { type: 'ON_EVERY_MESSAGE' };

const MIN_INTERVAL_SECS = 1;
const MAX_INTERVAL_SECS = 24 * 3600;
/** ThingsBoard remembers at most two days' worth of intervals, and never more than 100 of them. */
const MAX_REMEMBERED_SECS = 2 * 24 * 3600;
const MAX_REMEMBERED_INTERVALS = 100;

const intervalSchema = {
  type: 'integer',
  minimum: MIN_INTERVAL_SECS,
  maximum: MAX_INTERVAL_SECS,
  title: 'Deduplication interval in seconds',
};

const strategySchema = {
  type: 'object',
  properties: {
    type: { type: 'string', enum: ['ON_EVERY_MESSAGE', 'DEDUPLICATE', 'SKIP'], title: 'Strategy' },
    deduplicationIntervalSecs: intervalSchema,
  },
  required: ['type'],
  if: { properties: { type: { const: 'DEDUPLICATE' } } },
  then: { required: ['deduplicationIntervalSecs'] },
};

/** The JSON Schema of `processingSettings` for a node whose ADVANCED mode has these actions. */
export function processingSettingsSchema(advancedActions: readonly string[]): Record<string, unknown> {
  return {
    type: 'object',
    title: 'Processing settings',
    properties: {
      type: { type: 'string', enum: ['ON_EVERY_MESSAGE', 'DEDUPLICATE', 'WEBSOCKETS_ONLY', 'ADVANCED'], title: 'Processing strategy' },
      deduplicationIntervalSecs: intervalSchema,
      ...Object.fromEntries(advancedActions.map((action) => [action, { ...strategySchema, title: `Strategy for ${action}` }])),
    },
    required: ['type'],
    allOf: [
      { if: { properties: { type: { const: 'DEDUPLICATE' } } }, then: { required: ['deduplicationIntervalSecs'] } },
      { if: { properties: { type: { const: 'ADVANCED' } } }, then: { required: [...advancedActions] } },
    ],
  };
}

/** Remembers which originators already had a message in each interval (ThingsBoard's deduplicate strategy). */
class FirstInIntervalFilter {
  private readonly intervalMs: number;
  private readonly maxIntervals: number;
  private readonly seenByInterval = new Map<number, Set<string>>();

  constructor(intervalSecs: number) {
    this.intervalMs = intervalSecs * 1000;
    this.maxIntervals = Math.min(Math.floor(MAX_REMEMBERED_SECS / intervalSecs), MAX_REMEMBERED_INTERVALS);
  }

  isFirst(ts: number, originatorId: string): boolean {
    const interval = Math.floor(ts / this.intervalMs);
    let seen = this.seenByInterval.get(interval);
    if (!seen) {
      seen = new Set();
      this.seenByInterval.set(interval, seen);
      // Maps iterate in insertion order: the first key is the interval remembered longest.
      if (this.seenByInterval.size > this.maxIntervals) this.seenByInterval.delete(this.seenByInterval.keys().next().value!);
    }
    if (seen.has(originatorId)) return false;
    seen.add(originatorId);
    return true;
  }
}

/** Decides per message whether a save node skips storing it (the message still leaves by Success). */
export type SkipRule = (ts: number, originatorId: string) => boolean;

const neverSkip: SkipRule = () => false;
const alwaysSkip: SkipRule = () => true;

function deduplicateRule(intervalSecs: unknown, where: string): SkipRule {
  if (
    typeof intervalSecs !== 'number' ||
    !Number.isInteger(intervalSecs) ||
    intervalSecs < MIN_INTERVAL_SECS ||
    intervalSecs > MAX_INTERVAL_SECS
  ) {
    throw new Error(
      `${where}: the deduplication interval must be a whole number of seconds from ${MIN_INTERVAL_SECS} to ${MAX_INTERVAL_SECS}, was ${String(intervalSecs)}`,
    );
  }
  const filter = new FirstInIntervalFilter(intervalSecs);
  return (ts, originatorId) => !filter.isFirst(ts, originatorId);
}

function strategyRule(strategy: ProcessingStrategy, where: string): SkipRule {
  switch (strategy.type) {
    case 'ON_EVERY_MESSAGE':
      return neverSkip;
    case 'SKIP':
      return alwaysSkip;
    case 'DEDUPLICATE':
      return deduplicateRule(strategy.deduplicationIntervalSecs, where);
    default:
      throw new Error(`${where}: unknown strategy "${String(strategy.type)}" (use ON_EVERY_MESSAGE, DEDUPLICATE or SKIP)`);
  }
}

function isStrategy(value: unknown): value is ProcessingStrategy {
  return typeof value === 'object' && value !== null && typeof (value as ProcessingStrategy).type === 'string';
}

const sameStrategy = (a: ProcessingStrategy, b: ProcessingStrategy) =>
  a.type === b.type && (a.type !== 'DEDUPLICATE' || a.deduplicationIntervalSecs === b.deduplicationIntervalSecs);

/**
 * The skip rule for a node's processing settings; `storageActions` are the ADVANCED actions our storage
 * services perform together. Throws, naming what to change, for settings this version cannot honour.
 */
export function skipRuleOf(settings: ProcessingSettings | undefined, storageActions: readonly string[]): SkipRule {
  switch (settings?.type) {
    case 'ON_EVERY_MESSAGE':
      return neverSkip;
    case 'DEDUPLICATE':
      return deduplicateRule(settings.deduplicationIntervalSecs, 'processingSettings');
    case 'WEBSOCKETS_ONLY':
      throw new Error(
        'processingSettings WEBSOCKETS_ONLY (notify subscribers without storing) is not supported yet: choose ON_EVERY_MESSAGE or DEDUPLICATE',
      );
    case 'ADVANCED': {
      const strategies = storageActions.map((action) => settings[action]);
      const [first] = strategies;
      if (!strategies.every(isStrategy)) {
        throw new Error(`processingSettings ADVANCED needs a strategy for each of ${storageActions.join(', ')}`);
      }
      if (!strategies.every((strategy) => sameStrategy(strategy, first as ProcessingStrategy))) {
        throw new Error(
          `processingSettings ADVANCED with different strategies for ${storageActions.join(', ')} is not supported yet ` +
            '(they are stored and notified together here): give them the same strategy, or use ON_EVERY_MESSAGE or DEDUPLICATE',
        );
      }
      return strategyRule(first as ProcessingStrategy, `processingSettings.${storageActions[0]}`);
    }
    default:
      throw new Error(
        `Unknown processingSettings type "${String(settings?.type)}": use ON_EVERY_MESSAGE, DEDUPLICATE, WEBSOCKETS_ONLY or ADVANCED`,
      );
  }
}
