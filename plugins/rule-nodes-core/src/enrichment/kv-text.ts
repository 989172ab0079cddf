import type { KvRecord } from '@edgewise/plugin-api';

/**
 * A double as Java's Double.toString writes it, which is how ThingsBoard puts DOUBLE values into metadata:
 * always with a fraction (`25.0`), and in computerized scientific notation outside [10^-3, 10^7) (`1.0E7`,
 * `1.0E-4`). Both use the shortest digits that identify the double, so only the layout differs from JS.
 */
export function javaDoubleText(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const magnitude = Math.abs(value);
  if (magnitude >= 1e-3 && magnitude < 1e7) {
    const text = String(value);
    return text.includes('.') ? text : `${text}.0`;
  }
  const [mantissa, exponent] = value.toExponential().split('e');
  return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}E${Number(exponent)}`;
}

/** A stored value as text, exactly as ThingsBoard writes it into metadata (KvEntry.getValueAsString). */
export function kvText(record: KvRecord): string {
  switch (record.type) {
    case 'DOUBLE':
      return javaDoubleText(Number(record.value));
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
  const value = record.type === 'DOUBLE' ? javaDoubleText(Number(record.value)) : JSON.stringify(kvJson(record));
  return `{"ts":${record.ts},"value":${value}}`;
}
