import { javaDoubleToString, type KvRecord } from '@edgewise/plugin-api';

/** A stored value as text, exactly as ThingsBoard writes it into metadata (KvEntry.getValueAsString). */
export function kvText(record: KvRecord): string {
  switch (record.type) {
    case 'DOUBLE':
      return javaDoubleToString(Number(record.value));
    case 'BOOLEAN':
    case 'LONG':
    case 'STRING':
    case 'JSON':
      return String(record.value);
  }
}

/**
 * A stored value as a JSON value for message data: typed (number, boolean), JSON values parsed. LONG values
 * beyond 2^53 become the nearest double, since the data is written with JSON.stringify.
 */
export function kvJson(record: KvRecord): unknown {
  if (record.type === 'JSON') {
    try {
      return JSON.parse(String(record.value)) as unknown;
    } catch {
      return String(record.value);
    }
  }
  return typeof record.value === 'bigint' ? Number(record.value) : record.value;
}

/**
 * `{"ts":…,"value":…}` as text, the metadata form of "latest value with timestamp"; DOUBLE values keep
 * Java's layout (`25.0`) as ThingsBoard's Jackson writes them.
 */
export function kvWithTsText(record: KvRecord): string {
  const value = record.type === 'DOUBLE' ? javaDoubleToString(Number(record.value)) : JSON.stringify(kvJson(record));
  return `{"ts":${record.ts},"value":${value}}`;
}
