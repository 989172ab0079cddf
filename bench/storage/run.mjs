// Storage micro-benchmark: pushes data points through the group-committing TimeseriesWriter from many
// concurrent callers and prints ONE JSON line. Progress goes to stderr.
//
//   npm run build --workspace backend && npm run bench:storage
//   POINTS=1000000 DEVICES=100 KEYS=3 CONCURRENCY=1000 DATABASE_URL=postgres://… npm run bench:storage
//
// SQLite runs against a temporary data directory; with DATABASE_URL a temporary database is created on that
// server and dropped afterwards.
import { createRequire } from 'node:module';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';

const require = createRequire(import.meta.url);
const load = (path) => {
  try {
    return require(`@edgewise/backend/dist/${path}`);
  } catch (e) {
    console.error(`Cannot load the compiled backend (${e.message}). Build it first: npm run build --workspace backend`);
    process.exit(2);
  }
};
const { loadConfig } = load('config/app-config.js');
const { dataSourceOptions, sqliteFile } = load('database/data-source-options.js');
const { createTimeseriesWriter } = load('telemetry/timeseries-writer.js');
const { DataSource } = require('typeorm');
const { Client } = require('pg');

const intEnv = (name, fallback) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isSafeInteger(value) || value < 1) {
    console.error(`${name} must be a positive whole number, got ${process.env[name]}`);
    process.exit(2);
  }
  return value;
};
const POINTS = intEnv('POINTS', 1_000_000);
const DEVICES = intEnv('DEVICES', 100);
const KEYS = intEnv('KEYS', 3);
const CONCURRENCY = intEnv('CONCURRENCY', 1000);
const MAX_BATCH = intEnv('TS_WRITE_MAX_BATCH', 20_000);
const serverUrl = process.env.DATABASE_URL;

/** Runs `work` against a database created for this run on the DATABASE_URL server, dropped afterwards. */
async function withTemporaryPostgres(work) {
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  const name = `edgewise_bench_${Date.now().toString(36)}`;
  await admin.query(`CREATE DATABASE ${name}`);
  try {
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    return await work(url.toString());
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

/** One message of KEYS points for a device: a double, a long and a string, cycling. */
function message(seq) {
  const points = [];
  for (let k = 0; k < KEYS; k++) {
    const key = `key${k}`;
    if (k % 3 === 0) points.push({ key, type: 'DOUBLE', value: 20 + (seq % 100) / 10, ts: seq });
    else if (k % 3 === 1) points.push({ key, type: 'LONG', value: seq, ts: seq });
    else points.push({ key, type: 'STRING', value: `s${seq % 10}`, ts: seq });
  }
  return points;
}

function percentile(sorted, p) {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : 0;
}

async function run(databaseUrl) {
  const dataDir = mkdtempSync(join(tmpdir(), 'edgewise-bench-'));
  const config = loadConfig({ DATA_DIR: dataDir, ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}) });
  const dataSource = new DataSource(dataSourceOptions(config));
  await dataSource.initialize();
  let writer;
  try {
    writer = createTimeseriesWriter(dataSource, MAX_BATCH);
    const devices = Array.from({ length: DEVICES }, () => randomUUID());
    const messages = Math.ceil(POINTS / KEYS);
    const latencies = new Float64Array(messages);
    let next = 0;
    let done = 0;

    const started = performance.now();
    const progress = setInterval(() => {
      const seconds = (performance.now() - started) / 1000;
      process.stderr.write(
        `  ${(done * KEYS).toLocaleString()} / ${POINTS.toLocaleString()} points, ${Math.round((done * KEYS) / seconds).toLocaleString()} points/s\n`,
      );
    }, 1000);

    // Each caller sends one message, waits for its commit, sends the next: CONCURRENCY messages in flight.
    const caller = async () => {
      for (let i = next++; i < messages; i = next++) {
        const t0 = performance.now();
        // ts = message index per device, so every point is a distinct row.
        await writer.save(devices[i % DEVICES], message(Math.floor(i / DEVICES) + 1));
        latencies[i] = performance.now() - t0;
        done++;
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, caller));
    await writer.drain();
    const seconds = (performance.now() - started) / 1000;
    clearInterval(progress);

    const [{ n }] = await dataSource.query('SELECT COUNT(*) AS n FROM ts_kv');
    const [{ latest }] = await dataSource.query('SELECT COUNT(*) AS latest FROM ts_kv_latest');
    const expected = messages * KEYS;
    if (Number(n) !== expected || Number(latest) !== DEVICES * KEYS) {
      throw new Error(
        `row count check failed: ts_kv has ${n} rows (expected ${expected}), ts_kv_latest ${latest} (expected ${DEVICES * KEYS})`,
      );
    }
    // The WAL must stay bounded: checkpoints keep up with the writer.
    const wal = `${sqliteFile(config)}-wal`;
    const walMb = !databaseUrl && existsSync(wal) ? Math.round(statSync(wal).size / 1_048_576) : undefined;
    const sorted = Array.from(latencies).sort((a, b) => a - b);
    const round = (v, digits = 1) => Number(v.toFixed(digits));
    console.log(
      JSON.stringify({
        db: databaseUrl ? 'postgres' : 'sqlite',
        points: expected,
        devices: DEVICES,
        keysPerMessage: KEYS,
        concurrency: CONCURRENCY,
        seconds: round(seconds, 2),
        pointsPerSec: Math.round(expected / seconds),
        p50Ms: round(percentile(sorted, 50)),
        p99Ms: round(percentile(sorted, 99)),
        rssMb: Math.round(process.memoryUsage().rss / 1_048_576),
        walMb,
      }),
    );
  } finally {
    await writer?.onApplicationShutdown(); // SQLite: ends the writer's worker thread
    await dataSource.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

(serverUrl ? withTemporaryPostgres(run) : run()).catch((e) => {
  console.error(e);
  process.exit(1);
});
