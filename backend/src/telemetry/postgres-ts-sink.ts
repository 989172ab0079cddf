import type { Pool } from 'pg';
import { valueColumns } from './kv-columns';
import type { TsKvEntry } from './kv-entry';
import { newestPerSeries, TsWriteRequest, TsWriteSink } from './ts-write-sink';

const COLUMNS = 'entity_id, key, ts, bool_v, str_v, long_v, dbl_v, json_v';
const SET_VALUES =
  'bool_v = EXCLUDED.bool_v, str_v = EXCLUDED.str_v, long_v = EXCLUDED.long_v, dbl_v = EXCLUDED.dbl_v, json_v = EXCLUDED.json_v';
const unnest = (first: number) =>
  `unnest($${first}::uuid[], $${first + 1}::int[], $${first + 2}::bigint[], $${first + 3}::boolean[], $${first + 4}::text[], $${first + 5}::bigint[], $${first + 6}::float8[], $${first + 7}::text[])`;

/**
 * One statement per batch: a data-modifying CTE upserts ts_kv and the main INSERT upserts ts_kv_latest,
 * each row set passed as 8 column arrays through unnest — one round trip, atomic without BEGIN/COMMIT.
 */
const WRITE_BATCH = `WITH points AS (
    INSERT INTO ts_kv (${COLUMNS}) SELECT * FROM ${unnest(1)}
    ON CONFLICT (entity_id, key, ts) DO UPDATE SET ${SET_VALUES})
  INSERT INTO ts_kv_latest (${COLUMNS}) SELECT * FROM ${unnest(9)}
  ON CONFLICT (entity_id, key) DO UPDATE SET ts = EXCLUDED.ts, ${SET_VALUES} WHERE EXCLUDED.ts >= ts_kv_latest.ts`;

/** Column arrays for unnest; int64 beyond 2^53 goes as text. */
class ColumnArrays {
  readonly columns: unknown[][] = [[], [], [], [], [], [], [], []];

  add(entityId: string, keyId: number, point: TsKvEntry): void {
    const [bool, str, long, dbl, json] = valueColumns(point);
    const c = this.columns;
    c[0].push(entityId);
    c[1].push(keyId);
    c[2].push(point.ts);
    c[3].push(bool);
    c[4].push(str);
    c[5].push(typeof long === 'bigint' ? long.toString() : long);
    c[6].push(dbl);
    c[7].push(json);
  }
}

/** PostgreSQL: multi-row upserts through the pg pool TypeORM owns. */
export class PostgresTsSink implements TsWriteSink {
  constructor(private readonly pool: Pool) {}

  async write(batch: readonly TsWriteRequest[], keyId: (key: string) => number): Promise<void> {
    // One statement may not touch a row twice: the last point per (entity, key, ts) wins, as in ThingsBoard.
    const unique = new Map<string, [string, number, TsKvEntry]>();
    for (const { entityId, points } of batch) {
      for (const point of points) {
        const id = keyId(point.key);
        unique.set(`${entityId}|${id}|${point.ts}`, [entityId, id, point]);
      }
    }
    const raw = new ColumnArrays();
    for (const [entityId, id, point] of unique.values()) raw.add(entityId, id, point);
    const latest = new ColumnArrays();
    for (const { entityId, keyId: id, point } of newestPerSeries(batch, keyId)) latest.add(entityId, id, point);
    await this.pool.query(WRITE_BATCH, [...raw.columns, ...latest.columns]);
  }
}
