import type { TsKvEntry } from './kv-entry';

/** One caller's data points for one entity. */
export interface TsWriteRequest {
  entityId: string;
  points: readonly TsKvEntry[];
}

/** Writes a batch of requests to ts_kv and ts_kv_latest in ONE transaction; key ids are already known. */
export interface TsWriteSink {
  write(batch: readonly TsWriteRequest[], keyId: (key: string) => number): Promise<void> | void;
}

export interface LatestPoint {
  entityId: string;
  keyId: number;
  point: TsKvEntry;
}

/** The newest point per (entity, key) of a batch: latest is written once per series, not once per point. */
export function newestPerSeries(batch: readonly TsWriteRequest[], keyId: (key: string) => number): LatestPoint[] {
  const newest = new Map<string, LatestPoint>();
  for (const { entityId, points } of batch) {
    for (const point of points) {
      const id = keyId(point.key);
      const series = `${entityId}|${id}`;
      const current = newest.get(series);
      if (!current || point.ts >= current.point.ts) newest.set(series, { entityId, keyId: id, point });
    }
  }
  return [...newest.values()];
}
