// Memory with many connected devices: creates N devices, connects each over MQTT with its own token, has
// each publish one QoS 1 telemetry message, then reports the server's resident memory while all N stay
// connected. Prints ONE JSON line; progress on stderr.
//
//   CONNECTIONS=1000 npm run bench:connections
//   CONNECTIONS=10000 npm run bench:connections
import { restClient } from '../../e2e/support/product.mjs';
import { countDataPoints, engineDrained, envNumber, runBenchmark } from './measure.mjs';
import { SimulatedDevice } from './mqtt-load.mjs';

const CONNECTIONS = envNumber('CONNECTIONS', 1000);
const PARALLEL = 16;

/** Runs `task(i)` for i in [0, count) with at most PARALLEL at once, logging progress every 10%. */
async function inParallel(count, what, task, log) {
  let next = 0;
  let done = 0;
  const step = Math.max(1, Math.floor(count / 10));
  await Promise.all(
    Array.from({ length: PARALLEL }, async () => {
      while (next < count) {
        const i = next++;
        await task(i);
        if (++done % step === 0) log(`${what}: ${done}/${count}`);
      }
    }),
  );
}

await runBenchmark('connections', async ({ product, log }) => {
  const port = product.ports.mqtt.mqtt;
  const rest = await restClient(product.url);
  const idleRssMb = product.rssMb();
  await inParallel(CONNECTIONS, 'devices created', (i) => rest.createDevice(`conn-${i}`, `CONN_${i}`), log);
  const devices = [];
  let acked = 0;
  await inParallel(
    CONNECTIONS,
    'devices connected',
    async (i) => {
      const device = new SimulatedDevice({
        port,
        token: `CONN_${i}`,
        index: i,
        inflight: 1,
        startTs: Date.UTC(2021, 0, 1) + i,
        onAck: () => acked++,
      });
      await device.open();
      devices.push(device);
    },
    log,
  );
  for (const device of devices) {
    let once = true;
    device.running = true;
    device.allowance = () => once && !(once = false);
    device.pump(device.allowance);
  }
  const deadline = Date.now() + 60_000;
  while (acked < CONNECTIONS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  await engineDrained(rest);
  await new Promise((r) => setTimeout(r, 2000)); // let the server settle after the burst
  global.gc?.();
  const result = {
    bench: 'connections-mqtt',
    db: product.databaseUrl ? 'postgres' : 'sqlite',
    connections: devices.length,
    ackedMessages: acked,
    storedDataPoints: await countDataPoints(product),
    idleServerRssMb: idleRssMb,
    connectedServerRssMb: product.rssMb(),
  };
  devices.forEach((d) => d.close());
  return { result, ok: result.ackedMessages === CONNECTIONS && result.storedDataPoints === CONNECTIONS * 3 };
});
