import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { selectValues, valueColumns, ValueRow, valueOfRow, VALUE_COLUMNS } from './kv-columns';
import type { KvEntry, TsKvEntry } from './kv-entry';
import type { Aggregation, Bucket, HistoryPlan } from './history-query';
import { AGGREGATE_COLUMNS, aggregateValue, BucketFigures, bucketsCte } from './ts-aggregate';
import { placeholders, SqlRunner } from './sql-runner';
import { TimeseriesEvents } from './timeseries-events';
import { TimeseriesWriter } from './timeseries-writer';

/** A point of a response; `entry` null renders as `"value": null` (a requested key without data). */
export interface TsPoint {
  ts: number;
  entry: Pick<KvEntry, 'type' | 'value'> | null;
}

export type TsSeries = Map<string, TsPoint[]>;

export interface TsDeleteRequest {
  keys: readonly string[];
  startTs: number;
  endTs: number;
  deleteLatest: boolean;
  rewriteLatestIfDeleted: boolean;
}

/** Aggregation queries carry their buckets inline; this many per statement keeps the SQL text small. */
const BUCKETS_PER_QUERY = 1000;

type PointRow = ValueRow & { ts: number | string };

const toPoint = (row: PointRow): TsPoint => ({ ts: Number(row.ts), entry: valueOfRow(row) });

/** Timeseries of entities: writes go through the group-committing writer, reads and deletes are plain SQL. */
@Injectable()
export class TimeseriesService implements OnModuleDestroy {
  private readonly sql: SqlRunner;

  constructor(
    @Inject(TimeseriesWriter) private readonly writer: TimeseriesWriter,
    dataSource: DataSource,
    private readonly events: TimeseriesEvents,
  ) {
    this.sql = new SqlRunner(dataSource);
  }

  /** Stores points (latest moves forward only); resolves after commit, after watchers of the entity were told. */
  save(entityId: string, points: readonly TsKvEntry[]): Promise<void> {
    const saved = this.writer.save(entityId, points);
    if (!this.events.isWatched(entityId)) return saved;
    return saved.then(() => void this.events.emit('saved', entityId, points));
  }

  async onModuleDestroy(): Promise<void> {
    await this.writer.drain();
  }

  async keys(entityId: string): Promise<string[]> {
    const rows = await this.sql.query<{ key: string }>(
      'SELECT d.key AS key FROM ts_kv_latest l JOIN ts_kv_dictionary d ON d.key_id = l.key WHERE l.entity_id = ? ORDER BY d.key',
      [entityId],
    );
    return rows.map((r) => r.key);
  }

  /** Latest value per key: all keys with data, or the given keys with `null` entries for keys without data. */
  async latest(entityId: string, keys?: readonly string[]): Promise<TsSeries> {
    const filter = keys ? ` AND d.key IN (${placeholders(keys.length)})` : '';
    const rows = await this.sql.query<PointRow & { key: string }>(
      `SELECT d.key AS key, l.ts AS ts, ${selectValues('l')} FROM ts_kv_latest l JOIN ts_kv_dictionary d ON d.key_id = l.key
       WHERE l.entity_id = ?${filter} ORDER BY d.key`,
      [entityId, ...(keys ?? [])],
    );
    const found = new Map(rows.map((r) => [r.key, toPoint(r)]));
    if (!keys) return new Map([...found].map(([key, point]) => [key, [point]]));
    const now = Date.now();
    return new Map(keys.map((key) => [key, [found.get(key) ?? { ts: now, entry: null }]]));
  }

  /** History per key in request order; keys without data in range are left out. */
  async history(entityId: string, keys: readonly string[], plan: HistoryPlan): Promise<TsSeries> {
    const ids = await this.writer.keys.lookup(keys);
    const series: TsSeries = new Map();
    if (ids.size === 0) return series;
    if (plan.kind === 'raw') {
      for (const [key, id] of ids) {
        const rows = await this.sql.query<PointRow>(
          `SELECT t.ts AS ts, ${selectValues('t')} FROM ts_kv t WHERE t.entity_id = ? AND t.key = ? AND t.ts >= ? AND t.ts < ?
           ORDER BY t.ts ${plan.order} LIMIT ?`,
          [entityId, id, plan.startTs, plan.endTs, plan.limit],
        );
        if (rows.length > 0) series.set(key, rows.map(toPoint));
      }
      return series;
    }
    const points = await this.aggregate(entityId, [...ids.values()], plan.buckets, plan.agg);
    for (const [key, id] of ids) {
      const list = points.get(id);
      if (list?.length) series.set(key, list);
    }
    return series;
  }

  /** All aggregation done in SQL: buckets joined to ts_kv, grouped by bucket and key. */
  private async aggregate(entityId: string, keyIds: number[], buckets: readonly Bucket[], agg: Exclude<Aggregation, 'NONE'>) {
    const byKey = new Map<number, TsPoint[]>();
    for (let first = 0; first < buckets.length; first += BUCKETS_PER_QUERY) {
      const chunk = buckets.slice(first, first + BUCKETS_PER_QUERY);
      const rows = await this.sql.query<BucketFigures & { idx: number; key_id: number }>(
        `${bucketsCte(chunk, first)}
         SELECT b.idx AS idx, t.key AS key_id, ${AGGREGATE_COLUMNS}
         FROM b JOIN ts_kv t ON t.entity_id = ? AND t.key IN (${placeholders(keyIds.length)}) AND t.ts >= b.s AND t.ts < b.e
         GROUP BY b.idx, t.key ORDER BY b.idx`,
        [entityId, ...keyIds],
      );
      for (const row of rows) {
        const entry = aggregateValue(agg, row);
        if (!entry) continue;
        const list = byKey.get(Number(row.key_id)) ?? [];
        list.push({ ts: buckets[Number(row.idx)].ts, entry });
        byKey.set(Number(row.key_id), list);
      }
    }
    return byKey;
  }

  /** Deletes points in [startTs, endTs) of the keys; optionally the latest value too, rewriting it from older data. */
  async delete(entityId: string, request: TsDeleteRequest): Promise<void> {
    await this.writer.drain();
    const ids = await this.writer.keys.lookup(request.keys);
    await this.sql.transaction(async (manager) => {
      for (const id of ids.values()) {
        await this.sql.query(
          'DELETE FROM ts_kv WHERE entity_id = ? AND key = ? AND ts >= ? AND ts < ?',
          [entityId, id, request.startTs, request.endTs],
          manager,
        );
        if (request.deleteLatest) await this.deleteLatest(entityId, id, request, manager);
      }
    });
  }

  private async deleteLatest(entityId: string, keyId: number, request: TsDeleteRequest, manager: EntityManager): Promise<void> {
    const [latest] = await this.sql.query<{ ts: number | string }>(
      'SELECT ts FROM ts_kv_latest WHERE entity_id = ? AND key = ?',
      [entityId, keyId],
      manager,
    );
    if (!latest || Number(latest.ts) < request.startTs || Number(latest.ts) >= request.endTs) return;
    await this.sql.query('DELETE FROM ts_kv_latest WHERE entity_id = ? AND key = ?', [entityId, keyId], manager);
    if (!request.rewriteLatestIfDeleted) return;
    // Latest was the newest point, so the newest survivor lies before the deleted range.
    const [previous] = await this.sql.query<PointRow>(
      `SELECT t.ts AS ts, ${selectValues('t')} FROM ts_kv t WHERE t.entity_id = ? AND t.key = ? AND t.ts < ? ORDER BY t.ts DESC LIMIT 1`,
      [entityId, keyId, request.startTs],
      manager,
    );
    const entry = previous && valueOfRow(previous);
    if (!entry) return;
    await this.sql.query(
      `INSERT INTO ts_kv_latest (entity_id, key, ts, ${VALUE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      [entityId, keyId, Number(previous.ts), ...valueColumns(entry)],
      manager,
    );
  }
}
