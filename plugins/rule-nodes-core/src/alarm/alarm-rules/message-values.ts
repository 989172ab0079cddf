/**
 * Values out of device message data, as ThingsBoard's JsonConverter reads them for alarm rules: telemetry
 * as `{"k": v}`, `{"ts": …, "values": {…}}` or a list of those; attributes as a flat object.
 */

import type { ValueBatch } from './device-state';
import { fromJsonValue, KeyValue } from './key-value';

type JsonObject = Record<string, unknown>;

const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

function entries(object: JsonObject): [string, KeyValue][] {
  const result: [string, KeyValue][] = [];
  for (const [key, raw] of Object.entries(object)) {
    const value = fromJsonValue(raw);
    if (value) result.push([key, value]);
  }
  return result;
}

/** Telemetry grouped by timestamp; points without their own ts get `defaultTs`. Throws on data that is not telemetry. */
export function telemetryBatches(data: unknown, defaultTs: number): ValueBatch[] {
  const byTs = new Map<number, [string, KeyValue][]>();
  const add = (ts: number, values: [string, KeyValue][]) => byTs.set(ts, [...(byTs.get(ts) ?? []), ...values]);
  for (const item of Array.isArray(data) ? data : [data]) {
    if (!isObject(item)) throw new Error(`Telemetry must be a JSON object or a list of objects, got ${JSON.stringify(item)?.slice(0, 60)}`);
    if ('ts' in item && 'values' in item) {
      const ts = Number(item.ts);
      if (!Number.isSafeInteger(ts) || !isObject(item.values)) {
        throw new Error('Telemetry {"ts", "values"} needs a whole-number ts (epoch ms) and an object of values');
      }
      add(ts, entries(item.values));
    } else {
      add(defaultTs, entries(item));
    }
  }
  return [...byTs].map(([ts, values]) => ({ ts, values }));
}

/** The attributes of a message (a flat JSON object); `ts` is when they were updated. */
export function attributeBatch(data: unknown, ts: number): ValueBatch {
  if (!isObject(data)) throw new Error('Attributes must be a JSON object of key/value pairs');
  return { ts, values: entries(data) };
}
