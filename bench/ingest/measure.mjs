// What the ingest benchmarks measure besides the wire: stored rows and latency percentiles.
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);

/** Counts stored data points straight from the database the server used. */
export async function countDataPoints(product) {
  if (product.databaseUrl) {
    const { Client } = require('pg');
    const client = new Client({ connectionString: product.databaseUrl });
    await client.connect();
    const { rows } = await client.query('SELECT COUNT(*) AS n FROM ts_kv');
    await client.end();
    return Number(rows[0].n);
  }
  const Database = require('better-sqlite3');
  const db = new Database(join(product.dataDir, 'edgewise.sqlite'), { readonly: true });
  const { n } = db.prepare('SELECT COUNT(*) AS n FROM ts_kv').get();
  db.close();
  return n;
}

export const percentile = (sorted, p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : 0);
