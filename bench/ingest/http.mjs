// HTTP ingest benchmark: N simulated devices POST JSON telemetry (3 numeric keys) to
// /api/v1/{token}/telemetry with a fixed number of requests in flight over keep-alive connections; a 200
// means the data is durable. Prints ONE JSON line (same fields as the MQTT benchmark); progress on stderr.
//
//   npm run build && npm run bench:http                       # SQLite, 10 devices × 10 in flight, 10 s
//   DATABASE_URL=postgres://…/postgres npm run bench:http    # PostgreSQL (a temporary database is created)
import { Agent, request } from 'node:http';
import { restClient } from '../../e2e/support/product.mjs';
import { countDataPoints, engineDrained, envNumber, ingestSummary, measureWindow, runBenchmark } from './measure.mjs';

const DEVICES = envNumber('DEVICES', 10);
const INFLIGHT = envNumber('INFLIGHT', 10);
const SECONDS = envNumber('SECONDS', 10);
const WARMUP_SECONDS = envNumber('WARMUP_SECONDS', 2);

await runBenchmark('http', async ({ product, log }) => {
  const rest = await restClient(product.url);
  for (let i = 0; i < DEVICES; i++) await rest.createDevice(`bench-http-${i}`, `BENCH_HTTP_${i}`);
  log(`server up at ${product.url}; ${DEVICES} devices × ${INFLIGHT} requests in flight`);
  let running = true;
  let measuring = false;
  let acked = 0;
  let measuredAcks = 0;
  let failures = 0;
  const latencies = [];
  const baseTs = Date.UTC(2020, 0, 1);

  // node:http with keep-alive costs the shared machine far less per request than fetch.
  const agent = new Agent({ keepAlive: true, maxSockets: DEVICES * INFLIGHT });
  const { hostname, port } = new URL(product.url);
  const post = (path, body) =>
    new Promise((resolve, reject) => {
      const req = request(
        {
          agent,
          hostname,
          port,
          path,
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode));
        },
      );
      req.on('error', reject);
      req.end(body);
    });

  /** One device's request loop: each request carries its own ts, so every 200 is a distinct stored row. */
  async function deviceLoop(device, lane) {
    let seq = 0;
    const path = `/api/v1/BENCH_HTTP_${device}/telemetry`;
    while (running) {
      const ts = baseTs + device * 1e9 + lane * 1e7 + seq++;
      const body = `{"ts":${ts},"values":{"temperature":${(20 + (ts % 100) / 10).toFixed(1)},"humidity":${40 + (ts % 30)},"pressure":${1000 + (ts % 50) / 4}}}`;
      const started = performance.now();
      const status = await post(path, body);
      if (status !== 200) {
        failures++;
        continue;
      }
      acked++;
      if (measuring) {
        measuredAcks++;
        latencies.push(performance.now() - started);
      }
    }
  }

  const loops = [];
  for (let d = 0; d < DEVICES; d++) for (let lane = 0; lane < INFLIGHT; lane++) loops.push(deviceLoop(d, lane));
  await new Promise((r) => setTimeout(r, WARMUP_SECONDS * 1000));
  const window = await measureWindow({
    rest,
    product,
    seconds: SECONDS,
    log,
    setMeasuring: (on) => (measuring = on),
    acked: () => measuredAcks,
  });
  running = false;
  await Promise.all(loops);
  agent.destroy();
  await engineDrained(rest);
  const stored = await countDataPoints(product);
  const result = ingestSummary({
    bench: 'ingest-http',
    product,
    settings: { devices: DEVICES, inflight: INFLIGHT },
    window,
    measuredAcks,
    latencies,
    acked,
    stored,
    extra: { failedRequests: failures },
  });
  return { result, ok: result.everyAckedPointStored && failures === 0 };
});
