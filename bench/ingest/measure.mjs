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

/**
 * The measured window of an ingest benchmark: turns recording on, samples the server's RSS, logs progress
 * every second, turns recording off. Returns the window's length in seconds and the peak RSS in MB.
 */
export async function measureWindow({ product, seconds, log, setMeasuring, acked, rest }) {
  const engineBefore = await engineProgress(rest);
  setMeasuring(true);
  let peakRssMb = 0;
  const sampler = setInterval(() => (peakRssMb = Math.max(peakRssMb, product.rssMb())), 250);
  const started = performance.now();
  const cpuBefore = product.cpuSeconds();
  const mainCpuBefore = product.cpuSeconds(true);
  for (let s = 1; s <= seconds; s++) {
    await new Promise((r) => setTimeout(r, 1000));
    log(`${s}/${seconds} s: ${acked()} acked`);
  }
  const elapsed = (performance.now() - started) / 1000;
  const serverCpuSeconds = product.cpuSeconds() - cpuBefore;
  const mainThreadCpuSeconds = product.cpuSeconds(true) - mainCpuBefore;
  setMeasuring(false);
  clearInterval(sampler);
  const engineAfter = await engineProgress(rest);
  return {
    elapsed,
    peakRssMb,
    serverCpuSeconds,
    mainThreadCpuSeconds,
    // What the rule engine finished in the window (through the root chain), and how far it was behind at its end.
    processedMsgsPerSec: Math.round((engineAfter.processed - engineBefore.processed) / elapsed),
    queueLagAtEnd: engineAfter.lag,
  };
}

/** A telemetry message of 3 numeric keys at its own `ts`, so that every acknowledged message is a distinct stored row. */
export const telemetryAt = (ts) =>
  `{"ts":${ts},"values":{"temperature":${(20 + (ts % 100) / 10).toFixed(1)},"humidity":${40 + (ts % 30)},"pressure":${1000 + (ts % 50) / 4}}}`;

/**
 * The request/response ingest benchmarks (HTTP, CoAP): each lane sends one message at a time, `send(body)` resolving
 * true when it was acknowledged, its timestamps counting up from `firstTs`. Runs the lanes through the warm-up and
 * the measured window, stops them, waits for their last answers, `closeClients()`, and counts what the rule engine
 * stored once it is done. Returns what `ingestSummary` takes: the window, acknowledged messages (all, and in the
 * window), window latencies and stored data points; and the failed requests.
 */
export async function measureRequestLanes({ product, rest, log, lanes, warmupSeconds, seconds, closeClients }) {
  let running = true;
  let measuring = false;
  const counted = { acked: 0, measuredAcks: 0, failures: 0, latencies: [] };
  const runLane = async ({ firstTs, send }) => {
    for (let ts = firstTs; running; ts++) {
      const started = performance.now();
      if (!(await send(telemetryAt(ts)))) {
        counted.failures++;
        continue;
      }
      counted.acked++;
      if (measuring) {
        counted.measuredAcks++;
        counted.latencies.push(performance.now() - started);
      }
    }
  };
  const laneRuns = lanes.map(runLane);
  await new Promise((r) => setTimeout(r, warmupSeconds * 1000));
  const window = await measureWindow({
    rest,
    product,
    seconds,
    log,
    setMeasuring: (on) => (measuring = on),
    acked: () => counted.measuredAcks,
  });
  running = false;
  await Promise.all(laneRuns);
  closeClients();
  await engineDrained(rest);
  return { window, ...counted, stored: await countDataPoints(product) };
}

/** The rule engine's counters summed over its queues: messages processed so far, and waiting now. */
export async function engineProgress(rest) {
  const { body } = await rest.request('GET', '/api/ruleEngine/queues/stats');
  return body.reduce((sum, q) => ({ processed: sum.processed + q.processed + q.failed + q.timedOut, lag: sum.lag + q.lag }), {
    processed: 0,
    lag: 0,
  });
}

/** Waits until the rule engine has nothing left to do (every acknowledged message went through the chain). */
export async function engineDrained(rest, withinMs = 120_000) {
  const until = Date.now() + withinMs;
  let previous = -1;
  for (;;) {
    const { processed, lag } = await engineProgress(rest);
    if ((lag === 0 && processed === previous) || Date.now() > until) return;
    previous = processed;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The one JSON line every ingest benchmark prints (3 data points per message). */
export function ingestSummary({ bench, product, settings, window, measuredAcks, latencies, acked, stored, extra = {} }) {
  const { elapsed, peakRssMb, serverCpuSeconds, mainThreadCpuSeconds, processedMsgsPerSec, queueLagAtEnd } = window;
  latencies.sort((a, b) => a - b);
  const round = (v) => Math.round(v * 100) / 100;
  return {
    bench,
    db: product.databaseUrl ? 'postgres' : 'sqlite',
    ...settings,
    seconds: round(elapsed),
    msgsPerSec: Math.round(measuredAcks / elapsed),
    dataPointsPerSec: Math.round((measuredAcks * 3) / elapsed),
    processedMsgsPerSec,
    queueLagAtEnd,
    p50Ms: round(percentile(latencies, 50)),
    p95Ms: round(percentile(latencies, 95)),
    p99Ms: round(percentile(latencies, 99)),
    serverRssMb: peakRssMb,
    // Server CPU per acknowledged message (all threads): comparable across runs even when the machine is busy.
    serverCpuUsPerMsg: measuredAcks ? round((serverCpuSeconds * 1e6) / measuredAcks) : 0,
    serverCpuPercent: Math.round((serverCpuSeconds / elapsed) * 100),
    // The event loop's share: what caps throughput when the machine has cores to spare.
    mainThreadCpuUsPerMsg: measuredAcks ? round((mainThreadCpuSeconds * 1e6) / measuredAcks) : 0,
    ...extra,
    ackedMessages: acked,
    storedDataPoints: stored,
    everyAckedPointStored: stored === acked * 3,
  };
}

/** A whole number from the environment, or the default. */
export const envNumber = (name, fallback) => Number(process.env[name] ?? fallback);

/**
 * Runs one benchmark against a freshly started product: `body({ product, log })` returns the result object
 * and whether it passed its own checks. Prints the one JSON line, stops the product, exits 0 or 1.
 */
export async function runBenchmark(name, body, productEnv = {}) {
  const { startProduct } = await import('../../e2e/support/product.mjs');
  const log = (message) => process.stderr.write(`[bench:${name}] ${message}\n`);
  const product = await startProduct(productEnv);
  let exitCode = 0;
  try {
    const { result, ok } = await body({ product, log });
    if (!ok) exitCode = 1;
    console.log(JSON.stringify(result));
  } catch (e) {
    log(`failed: ${e.stack ?? e.message}`);
    exitCode = 1;
  } finally {
    await product.stop();
  }
  process.exit(exitCode);
}
