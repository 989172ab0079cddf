import type { DataSource, EntityManager } from 'typeorm';
import { Dialect, dialectOf } from '../database/dialect';

/**
 * Runs one SQL text on either database: statements are written with `?` placeholders and turned into
 * `$1, $2…` for PostgreSQL. Only for SQL whose `?` are all placeholders (no `?` inside literals).
 */
export class SqlRunner {
  readonly dialect: Dialect;

  constructor(private readonly dataSource: DataSource) {
    this.dialect = dialectOf(dataSource);
  }

  query<T = Record<string, unknown>>(sql: string, params: unknown[] = [], manager?: EntityManager): Promise<T[]> {
    return (manager ?? this.dataSource.manager).query(this.dialect === 'postgres' ? numbered(sql) : sql, params.map(bindable));
  }

  /** Runs `work` in one transaction (same connection for every query given the manager). */
  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }
}

function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/** int64 values beyond 2^53 travel as bigint in memory and as decimal text to the drivers. */
const bindable = (p: unknown) => (typeof p === 'bigint' ? p.toString() : p);

/** `?, ?, ?` for an IN list of n values. */
export const placeholders = (n: number): string => Array.from({ length: n }, () => '?').join(', ');
