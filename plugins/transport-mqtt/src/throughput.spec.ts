/**
 * Local throughput check, not a test: `npm run throughput --workspace plugins/transport-mqtt`.
 * 10 connections × 100 QoS 1 publishes in flight, from a worker thread so the load generator does not
 * share the server's event loop; the core resolves every commit at once. Prints msgs/s and the server
 * thread's busy time per message.
 */
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { FakeTransportCore, TEST_TOKEN } from '@edgewise/plugin-api/testing';
import { afterAll, describe, it } from 'vitest';
import { cleanUp, startTransport } from './test-support/mqtt-harness';

const CLIENTS = 10;
const IN_FLIGHT = 100;
const DURATION_MS = 5_000;

/** Plain JS for the worker: pre-encoded CONNECT and PUBLISH, each PUBACK answered by a new PUBLISH reusing its packet id. */
const LOAD_GENERATOR = `
const { workerData, parentPort } = require('node:worker_threads');
const net = require('node:net');
const { generate } = require(workerData.mqttPacket);
const { port, clients, inFlight, durationMs, token } = workerData;
const payload = JSON.stringify({ temperature: 25.1, humidity: 60, status: 'ok' });
const template = generate({ cmd: 'publish', topic: 'v1/devices/me/telemetry', payload, qos: 1, messageId: 1, dup: false, retain: false });
const idOffset = template.length - Buffer.byteLength(payload) - 2;
let acked = 0;
let measuring = false;
function run(index) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.setNoDelay(true);
    let connected = false;
    let rest = Buffer.alloc(0);
    const publishes = (ids) => {
      const out = Buffer.allocUnsafe(template.length * ids.length);
      ids.forEach((id, i) => { template.copy(out, i * template.length); out.writeUInt16BE(id, i * template.length + idOffset); });
      socket.write(out);
    };
    socket.on('data', (chunk) => {
      let data = rest.length ? Buffer.concat([rest, chunk]) : chunk;
      if (!connected) { connected = true; data = data.subarray(4); publishes(Array.from({ length: inFlight }, (_, i) => i + 1)); resolve(socket); }
      const complete = data.length - (data.length % 4);
      const ids = [];
      for (let offset = 0; offset < complete; offset += 4) ids.push(data.readUInt16BE(offset + 2));
      rest = data.subarray(complete);
      if (measuring) acked += ids.length;
      if (ids.length) publishes(ids);
    });
    socket.write(generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clientId: 'load-' + index, clean: true, keepalive: 0, username: token }));
  });
}
Promise.all(Array.from({ length: clients }, (_, i) => run(i))).then(async (sockets) => {
  await new Promise((r) => setTimeout(r, 500)); // warm-up
  measuring = true;
  const started = Date.now();
  await new Promise((r) => setTimeout(r, durationMs));
  const seconds = (Date.now() - started) / 1000;
  parentPort.postMessage({ acked, seconds });
  sockets.forEach((s) => s.destroy());
});
`;

/** The core's side made as cheap as possible, so the figure is the transport's. */
class InstantCore extends FakeTransportCore {
  commits = 0;
  private readonly committed = Promise.resolve();
  override commit(): Promise<void> {
    this.commits++;
    return this.committed;
  }
}

describe.runIf(process.env.MQTT_THROUGHPUT)('MQTT transport throughput', () => {
  afterAll(cleanUp);

  it(`acknowledges QoS 1 telemetry from ${CLIENTS} clients × ${IN_FLIGHT} in flight`, { timeout: DURATION_MS + 20_000 }, async () => {
    const core = new InstantCore();
    const { port } = await startTransport({}, core);
    const mqttPacket = require.resolve('mqtt-packet');
    const worker = new Worker(LOAD_GENERATOR, {
      eval: true,
      workerData: { port, clients: CLIENTS, inFlight: IN_FLIGHT, durationMs: DURATION_MS, token: TEST_TOKEN, mqttPacket },
    });
    const before = performance.eventLoopUtilization();
    const result = await new Promise<{ acked: number; seconds: number }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    const busy = performance.eventLoopUtilization(before);
    await worker.terminate();
    const perSecond = Math.round(result.acked / result.seconds);
    // Busy time of the server's thread over the whole run (warm-up included), per message it committed.
    const serverMicrosPerMessage = (busy.active * 1000) / core.commits;
    console.log(
      JSON.stringify({
        clients: CLIENTS,
        inFlight: IN_FLIGHT,
        msgsPerSecond: perSecond,
        committed: core.commits,
        serverThreadMicrosPerMsg: Number(serverMicrosPerMessage.toFixed(2)),
      }),
    );
  });
});
