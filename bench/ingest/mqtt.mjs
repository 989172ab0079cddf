// MQTT ingest benchmark: N simulated devices (each with its own token) publish QoS 1 JSON telemetry with
// 3 numeric keys, keeping a window of messages in flight; PUBACK means the data is durable. Prints ONE JSON
// line: acked msgs/s, data points/s, publish→PUBACK p50/p95/p99, server RSS, and whether every acknowledged
// data point is in the database. Progress goes to stderr.
//
//   npm run build && npm run bench:mqtt                       # SQLite, 10 devices × 100 in flight, 10 s
//   RATE=20000 npm run bench:mqtt                            # fixed offered load (msgs/s) for latency at that rate
//   DATABASE_URL=postgres://…/postgres npm run bench:mqtt    # PostgreSQL (a temporary database is created)
import { restClient } from '../../e2e/support/product.mjs';
import { countDataPoints, engineDrained, envNumber, ingestSummary, measureWindow, runBenchmark } from './measure.mjs';
import { SimulatedDevice } from './mqtt-load.mjs';

const DEVICES = envNumber('DEVICES', 10);
const INFLIGHT = envNumber('INFLIGHT', 100);
const SECONDS = envNumber('SECONDS', 10);
const WARMUP_SECONDS = envNumber('WARMUP_SECONDS', 2);
const RATE = envNumber('RATE', 0);

await runBenchmark('mqtt', async ({ product, log }) => {
  const mqttPort = product.ports.mqtt?.mqtt;
  if (!mqttPort) throw new Error('the server started no MQTT listener');
  log(`server up at ${product.url}, MQTT on ${mqttPort}; creating ${DEVICES} devices`);
  const rest = await restClient(product.url);
  const startTs = Date.UTC(2020, 0, 1);
  const devices = [];
  let measuring = false;
  const latencies = [];
  let measuredAcks = 0;
  const onAck = (ms) => {
    if (!measuring) return;
    measuredAcks++;
    latencies.push(ms);
  };
  for (let i = 0; i < DEVICES; i++) {
    await rest.createDevice(`bench-mqtt-${i}`, `BENCH_MQTT_${i}`);
    devices.push(
      new SimulatedDevice({ port: mqttPort, token: `BENCH_MQTT_${i}`, index: i, inflight: INFLIGHT, startTs: startTs + i * 1e9, onAck }),
    );
  }
  await Promise.all(devices.map((d) => d.open()));

  // Offered load: unlimited (window-bound), or a token bucket refilled every millisecond.
  let budget = 0;
  let refilledAt = performance.now();
  const allowance = RATE ? () => (budget >= 1 ? (budget--, true) : false) : () => true;
  const refill = RATE
    ? setInterval(() => {
        const now = performance.now();
        budget = Math.min(budget + (RATE * (now - refilledAt)) / 1000, RATE / 100); // at most 10 ms of burst
        refilledAt = now;
        for (const d of devices) d.pump(allowance);
      }, 1)
    : undefined;
  for (const d of devices) {
    d.allowance = allowance;
    d.running = true;
    d.pump(allowance);
  }
  log(`warming up for ${WARMUP_SECONDS} s`);
  await new Promise((r) => setTimeout(r, WARMUP_SECONDS * 1000));
  const window = await measureWindow({
    rest,
    product,
    seconds: SECONDS,
    log,
    setMeasuring: (on) => (measuring = on),
    acked: () => measuredAcks,
  });
  clearInterval(refill);
  for (const d of devices) d.running = false;
  const deadline = Date.now() + 30_000;
  while (devices.some((d) => d.outstanding > 0) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const acked = devices.reduce((n, d) => n + d.acked, 0);
  await engineDrained(rest);
  const stored = await countDataPoints(product);
  devices.forEach((d) => d.close());
  const result = ingestSummary({
    bench: 'ingest-mqtt',
    product,
    settings: { devices: DEVICES, inflight: INFLIGHT, offeredRate: RATE || 'unlimited' },
    window,
    measuredAcks,
    latencies,
    acked,
    stored,
  });
  return { result, ok: result.everyAckedPointStored };
});
