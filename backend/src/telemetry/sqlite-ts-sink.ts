import { SqliteWorker, WorkerHandlers } from '../database/sqlite-worker';
import { pushValueColumns } from './kv-columns';
import type { TsKvEntry } from './kv-entry';
import { newestPerSeries, TsWriteRequest, TsWriteSink } from './ts-write-sink';

/** Runs in the worker thread (see SqliteWorker): everything it uses, it requires. */
function openTsWriter({ file, pragmas, sqliteModule }: { file: string; pragmas: string[]; sqliteModule: string }): WorkerHandlers {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- runs as a CommonJS eval worker
  const Database = require(sqliteModule) as typeof import('better-sqlite3');
  const PARAMS = 8;
  /** Rows per multi-row INSERT: one native call per 64 points instead of one per point (measured ~1.2x). */
  const ROWS_PER_INSERT = 64;
  const COLUMNS = 'entity_id, key, ts, bool_v, str_v, long_v, dbl_v, json_v';
  const SET_VALUES =
    'bool_v = excluded.bool_v, str_v = excluded.str_v, long_v = excluded.long_v, dbl_v = excluded.dbl_v, json_v = excluded.json_v';
  const insertPoints = (rows: number) =>
    `INSERT INTO ts_kv (${COLUMNS}) VALUES ${Array.from({ length: rows }, () => '(?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}
     ON CONFLICT (entity_id, key, ts) DO UPDATE SET ${SET_VALUES}`;
  const db = new Database(file);
  for (const pragma of pragmas) db.pragma(pragma);
  const insertMany = db.prepare(insertPoints(ROWS_PER_INSERT));
  const insertOne = db.prepare(insertPoints(1));
  // Latest only moves forward in time: an older point arriving late leaves it alone.
  const upsertLatest = db.prepare(
    `INSERT INTO ts_kv_latest (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (entity_id, key) DO UPDATE SET ts = excluded.ts, ${SET_VALUES} WHERE excluded.ts >= ts_kv_latest.ts`,
  );
  const writeBatch = db.transaction(({ points, latest }: { points: unknown[]; latest: unknown[] }) => {
    const full = points.length - (points.length % (ROWS_PER_INSERT * PARAMS));
    for (let i = 0; i < full; i += ROWS_PER_INSERT * PARAMS) insertMany.run(points.slice(i, i + ROWS_PER_INSERT * PARAMS));
    for (let i = full; i < points.length; i += PARAMS) insertOne.run(points.slice(i, i + PARAMS));
    for (let i = 0; i < latest.length; i += PARAMS) upsertLatest.run(latest.slice(i, i + PARAMS));
  });
  return {
    // IMMEDIATE: take the write lock up front, so the transaction never has to upgrade a read to a write.
    write: (rows: { points: unknown[]; latest: unknown[] }) => void writeBatch.immediate(rows),
    close: () => void db.close(),
  };
}

const asInteger = (b: boolean) => (b ? 1 : 0);

/** Appends the 8 bind values of one row; better-sqlite3 cannot bind booleans, so BOOLEAN goes in as 0/1. */
function pushRow(params: unknown[], entityId: string, keyId: number, point: TsKvEntry): void {
  params.push(entityId, keyId, point.ts);
  pushValueColumns(params, point, asInteger);
}

/**
 * SQLite: the batch's rows are written by a connection of their own on a worker thread (SqliteWorker), in one
 * transaction; the event loop only lays out the bind values. The main connection's transactions start
 * IMMEDIATE (see serialiseSqliteTransactions), so the two connections never deadlock on a lock upgrade.
 */
export class SqliteTsSink implements TsWriteSink {
  private readonly worker: SqliteWorker;

  constructor(file: string, pragmas: string[]) {
    this.worker = new SqliteWorker('timeseries writer', openTsWriter, { file, pragmas });
  }

  async write(batch: readonly TsWriteRequest[], keyId: (key: string) => number): Promise<void> {
    const points: unknown[] = [];
    for (const { entityId, points: entries } of batch) for (const point of entries) pushRow(points, entityId, keyId(point.key), point);
    const latest: unknown[] = [];
    for (const { entityId, keyId: id, point } of newestPerSeries(batch, keyId)) pushRow(latest, entityId, id, point);
    await this.worker.started;
    await this.worker.request('write', { points, latest });
  }

  close(): Promise<void> {
    return this.worker.close();
  }
}
