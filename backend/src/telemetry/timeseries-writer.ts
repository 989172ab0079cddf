import type { OnApplicationShutdown } from '@nestjs/common';
import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import { SQLITE_PRAGMAS } from '../database/data-source-options';
import { GroupCommitQueue } from './group-commit-queue';
import type { TsKvEntry } from './kv-entry';
import { PostgresTsSink } from './postgres-ts-sink';
import { SqliteTsSink } from './sqlite-ts-sink';
import { SqlRunner } from './sql-runner';
import { TsKeyDictionary } from './ts-key-dictionary';
import type { TsWriteRequest, TsWriteSink } from './ts-write-sink';

const byEntity = (a: TsWriteRequest, b: TsWriteRequest) => (a.entityId < b.entityId ? -1 : a.entityId > b.entityId ? 1 : 0);

/**
 * The one way data points reach ts_kv/ts_kv_latest: callers submit points and get a promise that settles
 * after the group-committed transaction holding them (see GroupCommitQueue).
 */
export class TimeseriesWriter implements OnApplicationShutdown {
  private readonly queue: GroupCommitQueue<TsWriteRequest>;

  constructor(
    private readonly sink: TsWriteSink,
    readonly keys: TsKeyDictionary,
    maxBatch: number,
  ) {
    this.queue = new GroupCommitQueue((batch) => this.flush(batch), maxBatch);
  }

  /** Stores the points of one entity; resolves once committed. */
  save(entityId: string, points: readonly TsKvEntry[]): Promise<void> {
    if (points.length === 0) return Promise.resolve();
    return this.queue.submit({ entityId, points }, points.length);
  }

  /** Resolves when everything saved so far is committed. */
  drain(): Promise<void> {
    return this.queue.drain();
  }

  /** Last of the shutdown: the rule engine, which saves through this writer, has stopped by then. */
  async onApplicationShutdown(): Promise<void> {
    await this.drain();
    await this.sink.close?.();
  }

  private async flush(batch: TsWriteRequest[]): Promise<void> {
    const unknown = new Set<string>();
    for (const { points } of batch) for (const p of points) if (this.keys.cached(p.key) === undefined) unknown.add(p.key);
    if (unknown.size > 0) await this.keys.ensure(unknown);
    // Entity order puts each device's rows side by side in the ts_kv B-tree: fewer pages touched per commit
    // (measured 1.4x on SQLite). The sort is stable, so one device's points keep their arrival order.
    batch.sort(byEntity);
    await this.sink.write(batch, (key) => this.keys.cached(key)!);
  }
}

/** Builds the writer for the database behind `dataSource` (SQLite or PostgreSQL). */
export function createTimeseriesWriter(dataSource: DataSource, maxBatch: number): TimeseriesWriter {
  const sql = new SqlRunner(dataSource);
  const keys = new TsKeyDictionary(sql);
  if (sql.dialect === 'postgres') {
    return new TimeseriesWriter(new PostgresTsSink((dataSource.driver as unknown as { master: Pool }).master), keys, maxBatch);
  }
  return new TimeseriesWriter(new SqliteTsSink(dataSource.options.database as string, SQLITE_PRAGMAS), keys, maxBatch);
}
