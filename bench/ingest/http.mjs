// HTTP ingest benchmark: N simulated devices POST JSON telemetry (3 numeric keys) to
// /api/v1/{token}/telemetry with a fixed number of requests in flight over keep-alive connections; a 200
// means the data is durable. Prints ONE JSON line (same fields as the MQTT benchmark); progress on stderr.
//
//   npm run build && npm run bench:http                       # SQLite, 10 devices × 10 in flight, 10 s
//   DATABASE_URL=postgres://…/postgres npm run bench:http    # PostgreSQL (a temporary database is created)
import { Agent, request } from 'node:http';
import { restClient } from '../../e2e/support/product.mjs';
import { envNumber, ingestSummary, measureRequestLanes, runBenchmark } from './measure.mjs';

const DEVICES = envNumber('DEVICES', 10);
const INFLIGHT = envNumber('INFLIGHT', 10);
const SECONDS = envNumber('SECONDS', 10);
const WARMUP_SECONDS = envNumber('WARMUP_SECONDS', 2);

await runBenchmark('http', async ({ product, log }) => {
  const rest = await restClient(product.url);
  for (let i = 0; i < DEVICES; i++) await rest.createDevice(`bench-http-${i}`, `BENCH_HTTP_${i}`);
  log(`server up at ${product.url}; ${DEVICES} devices × ${INFLIGHT} requests in flight`);
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

  const lanes = [];
  for (let device = 0; device < DEVICES; device++)
    for (let lane = 0; lane < INFLIGHT; lane++)
      lanes.push({
        firstTs: baseTs + device * 1e9 + lane * 1e7,
        send: async (body) => (await post(`/api/v1/BENCH_HTTP_${device}/telemetry`, body)) === 200,
      });
  const { failures, ...measured } = await measureRequestLanes({
    product,
    rest,
    log,
    lanes,
    warmupSeconds: WARMUP_SECONDS,
    seconds: SECONDS,
    closeClients: () => agent.destroy(),
  });
  const result = ingestSummary({
    bench: 'ingest-http',
    product,
    settings: { devices: DEVICES, inflight: INFLIGHT },
    ...measured,
    extra: { failedRequests: failures },
  });
  return { result, ok: result.everyAckedPointStored && failures === 0 };
});
