import { RELATION, type KvRecord, type RuleMsg, type RuleNodeDescriptor } from '@edgewise/plugin-api';
import { isJsonObject, mutableCopy, requireJsonData } from '../transformation/msg-data';

export interface CalculateDeltaConfig {
  /** Data key holding the reading (e.g. a pulse counter). */
  inputValueKey: string;
  /** Data key the delta is written to. */
  outputValueKey: string;
  /** Remember each originator's last reading in memory instead of reading the latest telemetry every time. */
  useCache: boolean;
  addPeriodBetweenMsgs: boolean;
  /** Data key for the milliseconds since the previous reading (needed with addPeriodBetweenMsgs). */
  periodValueKey: string | null;
  /** Decimal places to round the delta to (half up); null: no rounding. */
  round: number | null;
  tellFailureIfDeltaIsNegative: boolean;
  /** Pass messages whose delta is 0 on unchanged (no delta key added). */
  excludeZeroDeltas: boolean;
}

interface Reading {
  ts: number;
  value: number;
}

/** How many originators' last readings the cache keeps; the least recently seen are forgotten first. */
const CACHE_LIMIT = 100_000;

/** The metadata `ts` when it is an integer (TbMsg.getMetaDataTs), else the message's own ts. */
function readingTs(msg: RuleMsg): number {
  const ts = msg.metadata.ts;
  return ts !== undefined && /^[+-]?\d+$/.test(ts) ? Number(ts) : msg.ts;
}

/** The stored latest value as a number; text must parse, booleans and JSON cannot be subtracted. */
function previousReading(record: KvRecord): Reading {
  switch (record.type) {
    case 'LONG':
    case 'DOUBLE':
      return { ts: record.ts, value: Number(record.value) };
    case 'STRING': {
      const value = Number(record.value);
      if (String(record.value).trim() === '' || Number.isNaN(value))
        throw new Error(
          `Calculation failed. Unable to parse value [${record.value}] of telemetry [${record.key}] to Double: store numbers under this key`,
        );
      return { ts: record.ts, value };
    }
    case 'BOOLEAN':
    case 'JSON':
      throw new Error(
        `Calculation failed. ${record.type === 'BOOLEAN' ? 'Boolean' : 'JSON'} values are not supported! Store numbers under "${record.key}"`,
      );
  }
}

/** The reading in the message: a number, or text holding one. */
function currentValue(value: unknown, key: string): number {
  const number = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  if (Number.isNaN(number))
    throw new Error(`Calculation failed. "${key}" is ${JSON.stringify(value)}, not a number: send a numeric reading`);
  return number;
}

/**
 * Rounds half up (away from zero) to `scale` decimal places of the value's shortest decimal form, as Java's
 * BigDecimal.valueOf(d).setScale(scale, HALF_UP) does: 1.005 → 1.01, where binary rounding would give 1.00.
 */
function roundHalfUp(value: number, scale: number): number {
  const [digits, exponent = '0'] = Math.abs(value).toString().split('e');
  const shifted = Number(`${digits}e${Number(exponent) + scale}`);
  if (!Number.isFinite(shifted) || shifted >= 1e21) return value;
  return Math.sign(value) * Number(`${Math.round(shifted)}e${-scale}`);
}

/**
 * Runs tasks with the same key one after another (ThingsBoard's per-originator semaphore), so each reading
 * is compared with the one before it even when lookups overlap.
 */
class KeyedSequencer {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const result = (this.tails.get(key) ?? Promise.resolve()).then(task);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}

/** "calculate delta": adds the difference between a reading and the originator's previous one (and the time between them). */
export const calculateDeltaNode: RuleNodeDescriptor<CalculateDeltaConfig> = {
  type: 'core/calculate-delta',
  category: 'enrichment',
  name: 'calculate delta',
  description:
    'For telemetry messages, adds the difference between a reading and the previous reading of the same key from the same originator (and optionally the time between them), e.g. consumption from a meter counter.',
  relations: [RELATION.SUCCESS, RELATION.FAILURE, RELATION.OTHER],
  configSchema: {
    type: 'object',
    properties: {
      inputValueKey: { type: 'string', minLength: 1, title: 'Input value key' },
      outputValueKey: { type: 'string', minLength: 1, title: 'Output value key' },
      useCache: { type: 'boolean', title: 'Use cache for latest value' },
      addPeriodBetweenMsgs: { type: 'boolean', title: 'Add period between messages' },
      periodValueKey: { type: ['string', 'null'], title: 'Period value key' },
      round: { type: ['integer', 'null'], minimum: 0, maximum: 15, title: 'Decimals (empty: no rounding)' },
      tellFailureIfDeltaIsNegative: { type: 'boolean', title: 'Tell failure if delta is negative' },
      excludeZeroDeltas: { type: 'boolean', title: 'Exclude zero deltas from the outbound message' },
    },
    required: ['inputValueKey', 'outputValueKey'],
  },
  defaultConfig: {
    inputValueKey: 'pulseCounter',
    outputValueKey: 'delta',
    useCache: true,
    addPeriodBetweenMsgs: false,
    periodValueKey: 'periodInMs',
    round: null,
    tellFailureIfDeltaIsNegative: true,
    excludeZeroDeltas: false,
  },
  configVersion: 1,
  // Version 0 had no excludeZeroDeltas; old chains keep passing zero deltas on.
  upgrade: (fromVersion, oldConfig) => (fromVersion === 0 ? { excludeZeroDeltas: false, ...oldConfig } : oldConfig),
  thingsboardClass: 'org.thingsboard.rule.engine.metadata.CalculateDeltaNode',
  icon: 'playlist_add',
  create(config) {
    const { inputValueKey, outputValueKey } = config;
    if (!inputValueKey.trim()) throw new Error('Enter the input value key (the data key holding the reading)');
    if (!outputValueKey.trim()) throw new Error('Enter the output value key (the data key the delta is written to)');
    const periodValueKey = config.addPeriodBetweenMsgs ? config.periodValueKey : null;
    if (config.addPeriodBetweenMsgs && !periodValueKey?.trim())
      throw new Error('Enter the period value key, or turn off "addPeriodBetweenMsgs"');
    const cache = new Map<string, Reading>();
    const sequencer = new KeyedSequencer();

    const remember = (originator: string, reading: Reading) => {
      cache.delete(originator);
      cache.set(originator, reading);
      if (cache.size > CACHE_LIMIT) cache.delete(cache.keys().next().value!);
    };

    return {
      async onMsg(msg, ctx) {
        if (msg.type !== 'POST_TELEMETRY_REQUEST') return ctx.tellNext(msg, RELATION.OTHER);
        const data = requireJsonData(msg, `calculate delta reads telemetry such as {"${inputValueKey}": 42}`);
        if (!isJsonObject(data) || !Object.hasOwn(data, inputValueKey)) return ctx.tellNext(msg, RELATION.OTHER);
        const value = currentValue(data[inputValueKey], inputValueKey);
        const originator = `${msg.originator.entityType}:${msg.originator.id}`;

        await sequencer.run(originator, async () => {
          let previous = config.useCache ? cache.get(originator) : undefined;
          if (!previous) {
            const [latest] = await ctx.services.timeseries.latest(msg.originator, [inputValueKey]);
            previous = latest && previousReading(latest);
          }
          const ts = readingTs(msg);
          // Remembered before the checks below, as ThingsBoard does: a rejected reading is still the latest one.
          if (config.useCache) remember(originator, { ts, value });

          let delta = previous ? value - previous.value : 0;
          if (config.tellFailureIfDeltaIsNegative && delta < 0)
            throw new Error(
              `Delta value is negative! "${inputValueKey}" went from ${previous!.value} to ${value}; turn off "tellFailureIfDeltaIsNegative" to pass such readings on`,
            );
          if (config.excludeZeroDeltas && delta === 0) return ctx.tellSuccess(msg);
          if (config.round !== null && config.round !== undefined) delta = roundHalfUp(delta, config.round);
          const enriched = mutableCopy(data);
          enriched[outputValueKey] = delta;
          if (periodValueKey) enriched[periodValueKey] = previous ? ts - previous.ts : 0;
          ctx.tellSuccess(ctx.transformMsg(msg, { data: JSON.stringify(enriched) }));
        });
      },
      destroy() {
        cache.clear();
      },
    };
  },
};
