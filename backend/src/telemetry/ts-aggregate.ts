import { longValue } from './kv-columns';
import type { KvType, KvValue } from './kv-entry';
import type { Aggregation, Bucket } from './history-query';

/** Every per-bucket figure any aggregation needs, computed by one SQL query (see AGGREGATE_COLUMNS). */
export interface BucketFigures {
  bool_n: number | string;
  str_n: number | string;
  json_n: number | string;
  long_n: number | string;
  dbl_n: number | string;
  long_sum: string | null;
  dbl_sum: number | null;
  long_min: string | null;
  long_max: string | null;
  dbl_min: number | null;
  dbl_max: number | null;
  str_min: string | null;
  str_max: string | null;
}

export const AGGREGATE_COLUMNS = `COUNT(t.bool_v) AS bool_n, COUNT(t.str_v) AS str_n, COUNT(t.json_v) AS json_n,
  COUNT(t.long_v) AS long_n, COUNT(t.dbl_v) AS dbl_n,
  CAST(SUM(t.long_v) AS TEXT) AS long_sum, SUM(t.dbl_v) AS dbl_sum,
  CAST(MIN(t.long_v) AS TEXT) AS long_min, CAST(MAX(t.long_v) AS TEXT) AS long_max,
  MIN(t.dbl_v) AS dbl_min, MAX(t.dbl_v) AS dbl_max, MIN(t.str_v) AS str_min, MAX(t.str_v) AS str_max`;

/** `WITH b(idx, s, e) AS (VALUES …)`: bucket bounds are integers we computed, so they are inlined. */
export function bucketsCte(buckets: readonly Bucket[], firstIdx: number): string {
  const rows = buckets.map((b, i) => `(${firstIdx + i}, CAST(${Math.trunc(b.start)} AS BIGINT), CAST(${Math.trunc(b.end)} AS BIGINT))`);
  return `WITH b(idx, s, e) AS (VALUES ${rows.join(', ')})`;
}

type Typed = { type: KvType; value: KvValue };

/** MIN/MAX: mixed long+double compare as doubles; no numbers → the string extreme; nothing → no point. */
function extreme(f: BucketFigures, which: 'min' | 'max'): Typed | null {
  const pick = which === 'min' ? Math.min : Math.max;
  const [longs, doubles] = [Number(f.long_n), Number(f.dbl_n)];
  const longText = which === 'min' ? f.long_min : f.long_max;
  const dbl = which === 'min' ? f.dbl_min : f.dbl_max;
  if (longs > 0 && doubles > 0) return { type: 'DOUBLE', value: pick(Number(dbl), Number(longText)) };
  if (doubles > 0) return { type: 'DOUBLE', value: Number(dbl) };
  if (longs > 0) return { type: 'LONG', value: longValue(longText!) };
  const text = which === 'min' ? f.str_min : f.str_max;
  return text === null ? null : { type: 'STRING', value: text };
}

/** The value ThingsBoard's SQL DAO reports for a non-empty bucket (research notes §1.4); null = omit bucket. */
export function aggregateValue(agg: Exclude<Aggregation, 'NONE'>, f: BucketFigures): Typed | null {
  const [longs, doubles] = [Number(f.long_n), Number(f.dbl_n)];
  const sum = Number(f.long_sum ?? 0) + Number(f.dbl_sum ?? 0);
  switch (agg) {
    case 'AVG':
      return { type: 'DOUBLE', value: longs + doubles > 0 ? sum / (longs + doubles) : 0 };
    case 'SUM':
      return doubles > 0 ? { type: 'DOUBLE', value: sum } : { type: 'LONG', value: longValue(f.long_sum ?? '0') };
    case 'MIN':
      return extreme(f, 'min');
    case 'MAX':
      return extreme(f, 'max');
    case 'COUNT': {
      // A priority, not a total: ThingsBoard reports the first non-zero of these counts.
      const count = [f.bool_n, f.str_n, f.json_n].map(Number).find((n) => n > 0) ?? longs + doubles;
      return { type: 'LONG', value: count };
    }
  }
}
