import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AttributeEvents } from './attribute-events';
import { kvObjectJson } from './kv-json';
import { selectValues, valueColumns, ValueRow, valueOfRow, VALUE_COLUMNS } from './kv-columns';
import type { AttributeKvEntry, AttributeScope, KvEntry } from './kv-entry';
import { placeholders, SqlRunner } from './sql-runner';

/** Rows per INSERT statement: 9 parameters each stays far below PostgreSQL's 65 535-parameter limit. */
const ROWS_PER_STATEMENT = 1000;

export interface AttributeWrite {
  entityId: string;
  scope: AttributeScope;
  entries: readonly KvEntry[];
  ts: number;
}

type AttributeRow = ValueRow & { attribute_scope: AttributeScope; attribute_key: string; last_update_ts: number | string };

/** Builds `WHERE entity_id = ? [AND attribute_scope = ?] [AND attribute_key IN (…)]`. */
function where(entityId: string, scope?: AttributeScope, keys?: readonly string[]): [string, unknown[]] {
  let sql = 'WHERE entity_id = ?';
  const params: unknown[] = [entityId];
  if (scope) {
    sql += ' AND attribute_scope = ?';
    params.push(scope);
  }
  if (keys) {
    sql += ` AND attribute_key IN (${placeholders(keys.length)})`;
    params.push(...keys);
  }
  return [sql, params];
}

/** Attributes of entities per scope (CLIENT_SCOPE, SHARED_SCOPE, SERVER_SCOPE) in attribute_kv. */
@Injectable()
export class AttributesService {
  private readonly sql: SqlRunner;

  constructor(
    dataSource: DataSource,
    private readonly events: AttributeEvents,
  ) {
    this.sql = new SqlRunner(dataSource);
  }

  /** Upserts the entries with last_update_ts = `ts`, all or nothing; shared ones are then pushed to the device. */
  save(entityId: string, scope: AttributeScope, entries: readonly KvEntry[], ts = Date.now()): Promise<void> {
    return this.saveMany([{ entityId, scope, entries, ts }]);
  }

  /** Several entities' attributes in one transaction (e.g. the activity state of many devices). */
  async saveMany(writes: readonly AttributeWrite[]): Promise<void> {
    const rows = writes.flatMap((w) => w.entries.map((entry) => ({ write: w, entry })));
    await this.sql.transaction(async (manager) => {
      for (let first = 0; first < rows.length; first += ROWS_PER_STATEMENT) {
        const chunk = rows.slice(first, first + ROWS_PER_STATEMENT);
        await this.sql.query(
          `INSERT INTO attribute_kv (entity_id, attribute_scope, attribute_key, ${VALUE_COLUMNS}, last_update_ts)
           VALUES ${chunk.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}
           ON CONFLICT (entity_id, attribute_scope, attribute_key) DO UPDATE SET bool_v = excluded.bool_v, str_v = excluded.str_v,
             long_v = excluded.long_v, dbl_v = excluded.dbl_v, json_v = excluded.json_v, last_update_ts = excluded.last_update_ts`,
          chunk.flatMap(({ write, entry }) => [write.entityId, write.scope, entry.key, ...valueColumns(entry), write.ts]),
          manager,
        );
      }
    });
    // Every saved key is pushed, changed or not, as ThingsBoard does (device-api.md §1.7).
    for (const write of writes) {
      if (write.scope === 'SHARED_SCOPE' && write.entries.length)
        this.events.emit('sharedChanged', write.entityId, kvObjectJson(write.entries));
      this.events.emit('saved', write.entityId, write.scope, write.entries, write.ts);
    }
  }

  /** Deletes the keys of one scope; unknown keys are ignored. Returns the keys that existed. */
  async delete(entityId: string, scope: AttributeScope, keys: readonly string[]): Promise<string[]> {
    const [filter, params] = where(entityId, scope, keys);
    const deleted = await this.sql.transaction(async (manager) => {
      const existing = await this.sql.query<{ attribute_key: string }>(`SELECT attribute_key FROM attribute_kv ${filter}`, params, manager);
      await this.sql.query(`DELETE FROM attribute_kv ${filter}`, params, manager);
      return existing.map((r) => r.attribute_key);
    });
    if (scope === 'SHARED_SCOPE' && keys.length) this.events.emit('sharedChanged', entityId, JSON.stringify({ deleted: keys }));
    this.events.emit('deleted', entityId, scope, keys);
    return deleted;
  }

  /** Attributes of one scope or all scopes, optionally only the given keys; ordered by scope, then key. */
  async find(entityId: string, scope?: AttributeScope, keys?: readonly string[]): Promise<AttributeKvEntry[]> {
    const [filter, params] = where(entityId, scope, keys);
    const rows = await this.sql.query<AttributeRow>(
      `SELECT attribute_scope, attribute_key, last_update_ts, ${selectValues('attribute_kv')} FROM attribute_kv ${filter}
       ORDER BY attribute_scope, attribute_key`,
      params,
    );
    const attributes: AttributeKvEntry[] = [];
    for (const row of rows) {
      const value = valueOfRow(row);
      if (value)
        attributes.push({ key: row.attribute_key, scope: row.attribute_scope, lastUpdateTs: Number(row.last_update_ts), ...value });
    }
    return attributes;
  }

  async keys(entityId: string, scope?: AttributeScope): Promise<string[]> {
    const [filter, params] = where(entityId, scope);
    const rows = await this.sql.query<{ attribute_key: string }>(
      `SELECT DISTINCT attribute_key FROM attribute_kv ${filter} ORDER BY attribute_key`,
      params,
    );
    return rows.map((r) => r.attribute_key);
  }
}
