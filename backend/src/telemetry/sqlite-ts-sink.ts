import type { Database, Statement } from 'better-sqlite3';
import { pushValueColumns } from './kv-columns';
import type { TsKvEntry } from './kv-entry';
import { newestPerSeries, TsWriteRequest, TsWriteSink } from './ts-write-sink';

const COLUMNS = 'entity_id, key, ts, bool_v, str_v, long_v, dbl_v, json_v';
const SET_VALUES =
  'bool_v = excluded.bool_v, str_v = excluded.str_v, long_v = excluded.long_v, dbl_v = excluded.dbl_v, json_v = excluded.json_v';
const PARAMS_PER_ROW = 8;
/** Rows per multi-row INSERT: one native call per 64 points instead of one per point (measured ~1.2x). */
const ROWS_PER_INSERT = 64;

const insertPoints = (rows: number) =>
  `INSERT INTO ts_kv (${COLUMNS}) VALUES ${Array.from({ length: rows }, () => '(?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}
   ON CONFLICT (entity_id, key, ts) DO UPDATE SET ${SET_VALUES}`;

const asInteger = (b: boolean) => (b ? 1 : 0);

/** Appends the 8 bind values of one row; better-sqlite3 cannot bind booleans, so BOOLEAN goes in as 0/1. */
function pushRow(params: unknown[], entityId: string, keyId: number, point: TsKvEntry): void {
  params.push(entityId, keyId, point.ts);
  pushValueColumns(params, point, asInteger);
}

/**
 * SQLite: prepared statements on the native better-sqlite3 handle inside one transaction — no round trip
 * through TypeORM. better-sqlite3 is synchronous, so the whole batch runs in one go.
 */
export class SqliteTsSink implements TsWriteSink {
  private readonly insertMany: Statement;
  private readonly insertOne: Statement;
  private readonly upsertLatest: Statement;
  private readonly writeBatch: (batch: readonly TsWriteRequest[], keyId: (key: string) => number) => void;

  constructor(db: Database) {
    this.insertMany = db.prepare(insertPoints(ROWS_PER_INSERT));
    this.insertOne = db.prepare(insertPoints(1));
    // Latest only moves forward in time: an older point arriving late leaves it alone.
    this.upsertLatest = db.prepare(
      `INSERT INTO ts_kv_latest (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (entity_id, key) DO UPDATE SET ts = excluded.ts, ${SET_VALUES} WHERE excluded.ts >= ts_kv_latest.ts`,
    );
    this.writeBatch = db.transaction((batch: readonly TsWriteRequest[], keyId: (key: string) => number) => {
      let params: unknown[] = [];
      for (const { entityId, points } of batch) {
        for (const point of points) {
          pushRow(params, entityId, keyId(point.key), point);
          if (params.length === ROWS_PER_INSERT * PARAMS_PER_ROW) {
            this.insertMany.run(params);
            params = [];
          }
        }
      }
      for (let i = 0; i < params.length; i += PARAMS_PER_ROW) this.insertOne.run(params.slice(i, i + PARAMS_PER_ROW));
      for (const { entityId, keyId: id, point } of newestPerSeries(batch, keyId)) {
        const row: unknown[] = [];
        pushRow(row, entityId, id, point);
        this.upsertLatest.run(row);
      }
    });
  }

  write(batch: readonly TsWriteRequest[], keyId: (key: string) => number): void {
    this.writeBatch(batch, keyId);
  }
}
