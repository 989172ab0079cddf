import { placeholders, SqlRunner } from './sql-runner';

/** Timeseries key names ↔ the integer ids ts_kv stores; ids never change once given, so they are cached forever. */
export class TsKeyDictionary {
  private readonly ids = new Map<string, number>();

  constructor(private readonly sql: SqlRunner) {}

  cached(key: string): number | undefined {
    return this.ids.get(key);
  }

  /** Ids of the keys that exist; unknown keys are simply absent (reads never create keys). */
  async lookup(keys: readonly string[]): Promise<Map<string, number>> {
    const missing = keys.filter((k) => !this.ids.has(k));
    if (missing.length > 0) {
      const rows = await this.sql.query<{ key: string; key_id: number }>(
        `SELECT key, key_id FROM ts_kv_dictionary WHERE key IN (${placeholders(missing.length)})`,
        missing,
      );
      for (const row of rows) this.ids.set(row.key, Number(row.key_id));
    }
    const found = new Map<string, number>();
    for (const key of keys) {
      const id = this.ids.get(key);
      if (id !== undefined) found.set(key, id);
    }
    return found;
  }

  /** Makes sure every key has an id, creating the missing ones. */
  async ensure(keys: Iterable<string>): Promise<void> {
    const found = await this.lookup([...new Set(keys)].filter((k) => !this.ids.has(k)));
    for (const key of keys) if (!this.ids.has(key) && !found.has(key)) await this.create(key);
  }

  /**
   * Takes max(id)+1; a concurrent writer (another cluster node) may win the same id or key, which the
   * unique indexes turn into "do nothing", so read back and retry until the key has an id.
   */
  private async create(key: string): Promise<void> {
    for (let attempt = 0; attempt < 10; attempt++) {
      await this.sql.query(
        'INSERT INTO ts_kv_dictionary (key, key_id) SELECT ?, COALESCE(MAX(key_id), 0) + 1 FROM ts_kv_dictionary WHERE true ON CONFLICT DO NOTHING',
        [key],
      );
      const [row] = await this.sql.query<{ key_id: number }>('SELECT key_id FROM ts_kv_dictionary WHERE key = ?', [key]);
      if (row) {
        this.ids.set(key, Number(row.key_id));
        return;
      }
    }
    throw new Error(
      `Could not register timeseries key "${key}" after 10 attempts: the key dictionary is under unusual contention; retry the write`,
    );
  }
}
