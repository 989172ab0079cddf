import { javaDoubleToString } from '@edgewise/plugin-api';
import type { KvEntry } from './kv-entry';

/** The value as ThingsBoard's getValueAsString renders it (LONG digits, DOUBLE per Java, JSON text as is). */
export function valueAsString(entry: Pick<KvEntry, 'type' | 'value'>): string {
  return entry.type === 'DOUBLE' ? javaDoubleToString(entry.value as number) : String(entry.value);
}

/**
 * The value as JSON text. Strict: native JSON types with doubles still written as doubles (`42.0`, which
 * JSON.stringify would print as `42`) and JSON values embedded; otherwise every value is a JSON string.
 */
export function valueJson(entry: Pick<KvEntry, 'type' | 'value'>, strict: boolean): string {
  if (!strict) return JSON.stringify(valueAsString(entry));
  switch (entry.type) {
    case 'BOOLEAN':
    case 'LONG':
    case 'JSON':
      return String(entry.value);
    case 'DOUBLE':
      // NaN/Infinity are not JSON numbers (only reachable through an overflowing SUM).
      return Number.isFinite(entry.value)
        ? javaDoubleToString(entry.value as number)
        : JSON.stringify(javaDoubleToString(entry.value as number));
    case 'STRING':
      return JSON.stringify(entry.value);
  }
}

/** `{"key":[{"ts":1,"value":…},…],…}` — the timeseries response, built as text so doubles keep their `.0`. */
export function timeseriesJson(
  series: Map<string, { ts: number; entry: Pick<KvEntry, 'type' | 'value'> | null }[]>,
  strict: boolean,
): string {
  const members: string[] = [];
  for (const [key, points] of series) {
    const items = points.map((p) => `{"ts":${p.ts},"value":${p.entry ? valueJson(p.entry, strict) : 'null'}}`);
    members.push(`${JSON.stringify(key)}:[${items.join(',')}]`);
  }
  return `{${members.join(',')}}`;
}

/** `[{"lastUpdateTs":…,"key":…,"value":…}]` — attributes are always answered with typed values. */
export function attributesJson(attributes: readonly (KvEntry & { lastUpdateTs: number })[]): string {
  return `[${attributes.map((a) => `{"lastUpdateTs":${a.lastUpdateTs},"key":${JSON.stringify(a.key)},"value":${valueJson(a, true)}}`).join(',')}]`;
}

/** `{"key":value,…}` with values in their stored types (`42.0` stays a double): what devices receive. */
export const kvObjectJson = (entries: readonly KvEntry[]): string =>
  `{${entries.map((e) => `${JSON.stringify(e.key)}:${valueJson(e, true)}`).join(',')}}`;
