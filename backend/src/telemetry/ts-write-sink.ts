import type { TsKvEntry } from './kv-entry';

/** One caller's data points for one entity. */
export interface TsWriteRequest {
  entityId: string;
  points: readonly TsKvEntry[];
}

/** Writes a batch of requests to ts_kv and ts_kv_latest in ONE transaction; key ids are already known. */
export interface TsWriteSink {
  write(batch: readonly TsWriteRequest[], keyId: (key: string) => number): Promise<void> | void;
  /** Releases what the sink holds (a worker thread); nothing is written after. */
  close?(): Promise<void>;
}

export interface LatestPoint {
  entityId: string;
  keyId: number;
  point: TsKvEntry;
}

/**
 * The newest point per (entity, key) of a batch: latest is written once per series, not once per point.
 * Looks up by entity, then by numeric key id, so no string is built per point.
 */
export function newestPerSeries(batch: readonly TsWriteRequest[], keyId: (key: string) => number): LatestPoint[] {
  const byEntity = new Map<string, Map<number, LatestPoint>>();
  for (const { entityId, points } of batch) {
    let newest = byEntity.get(entityId);
    if (!newest) byEntity.set(entityId, (newest = new Map()));
    for (const point of points) {
      const id = keyId(point.key);
      const current = newest.get(id);
      if (!current) newest.set(id, { entityId, keyId: id, point });
      else if (point.ts >= current.point.ts) current.point = point;
    }
  }
  const latest: LatestPoint[] = [];
  for (const newest of byEntity.values()) for (const point of newest.values()) latest.push(point);
  return latest;
}
