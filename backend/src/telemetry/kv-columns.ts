import type { KvEntry, KvType, KvValue } from './kv-entry';

/** The five typed value columns shared by ts_kv, ts_kv_latest and attribute_kv, in table order. */
export const VALUE_COLUMNS = 'bool_v, str_v, long_v, dbl_v, json_v';

/** Select list reading the value columns of alias `t`; long_v as text so int64 survives both drivers. */
export const selectValues = (t: string) => `${t}.bool_v, ${t}.str_v, CAST(${t}.long_v AS TEXT) AS long_v, ${t}.dbl_v, ${t}.json_v`;

/** Row shape of {@link selectValues}. */
export interface ValueRow {
  bool_v: boolean | number | null;
  str_v: string | null;
  long_v: string | null;
  dbl_v: number | null;
  json_v: string | null;
}

type ColumnValues = [boolean | null, string | null, number | bigint | null, number | null, string | null];

/** Column values for an entry: exactly one is non-null. */
export function valueColumns(entry: Pick<KvEntry, 'type' | 'value'>): ColumnValues {
  const columns: unknown[] = [];
  pushValueColumns(columns, entry);
  return columns as ColumnValues;
}

/**
 * Appends the five value columns of an entry to a parameter list without building an intermediate array
 * (the telemetry write path calls it once per data point). BOOLEAN goes in as `asBool(value)`.
 */
export function pushValueColumns(
  params: unknown[],
  entry: Pick<KvEntry, 'type' | 'value'>,
  asBool: (b: boolean) => unknown = (b) => b,
): void {
  const v = entry.value;
  switch (entry.type) {
    case 'BOOLEAN':
      params.push(asBool(v as boolean), null, null, null, null);
      return;
    case 'STRING':
      params.push(null, v, null, null, null);
      return;
    case 'LONG':
      params.push(null, null, v, null, null);
      return;
    case 'DOUBLE':
      params.push(null, null, null, v, null);
      return;
    case 'JSON':
      params.push(null, null, null, null, v);
  }
}

/** Decimal text of an int64 → number while exact, bigint beyond. */
export function longValue(text: string): number | bigint {
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : BigInt(text);
}

/** The typed value of a row, picking columns in ThingsBoard's order (str, long, double, bool, json). */
export function valueOfRow(row: ValueRow): { type: KvType; value: KvValue } | null {
  if (row.str_v !== null) return { type: 'STRING', value: row.str_v };
  if (row.long_v !== null) return { type: 'LONG', value: longValue(row.long_v) };
  if (row.dbl_v !== null) return { type: 'DOUBLE', value: Number(row.dbl_v) };
  if (row.bool_v !== null) return { type: 'BOOLEAN', value: row.bool_v === true || row.bool_v === 1 };
  if (row.json_v !== null) return { type: 'JSON', value: row.json_v };
  return null;
}
