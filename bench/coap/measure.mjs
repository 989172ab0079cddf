// CoAP ingest benchmark: many concurrent CoAP clients (each its own UDP socket, i.e. its own device endpoint)
// POST confirmable JSON telemetry (3 numeric keys) to /api/v1/{token}/telemetry, each waiting for its 2.01
// before the next (NSTART 1, as RFC 7252 asks of a client). A 2.01 means the data is durable. Prints ONE JSON
// line (same fields as the MQTT/HTTP benchmarks): acked msgs/s, request→2.01 p50/p95/p99, server RSS and CPU,
// and whether every acknowledged data point is in the database. Progress goes to stderr.
//
//   npm run build && node bench/coap/measure.mjs                 # SQLite, 200 clients over 20 devices, 10 s
//   CLIENTS=1000 DEVICES=100 node bench/coap/measure.mjs         # more concurrent clients
//   DATABASE_URL=postgres://…/postgres node bench/coap/measure.mjs
import { createSocket } from 'node:dgram';
import { createRequire } from 'node:module';
import { restClient } from '../../e2e/support/product.mjs';
import { envNumber, ingestSummary, measureRequestLanes, runBenchmark } from '../ingest/measure.mjs';

// The CoAP codec the transport itself uses, resolved from the transport package.
const { generate, parse } = createRequire(new URL('../../plugins/transport-coap/package.json', import.meta.url))('coap-packet');

const CLIENTS = envNumber('CLIENTS', 200);
const DEVICES = envNumber('DEVICES', 20);
const SECONDS = envNumber('SECONDS', 10);
const WARMUP_SECONDS = envNumber('WARMUP_SECONDS', 2);
/** RFC 7252 ACK_TIMEOUT: a request without any answer is sent again (same message id) after this. */
const RETRANSMIT_MS = 2_000;

/** One CoAP client endpoint: a socket, a message id counter, one confirmable request in flight at a time. */
class CoapClient {
  constructor(port, token) {
    this.port = port;
    this.path = ['api', 'v1', token, 'telemetry'].map((segment) => ({ name: 'Uri-Path', value: Buffer.from(segment) }));
    this.socket = createSocket('udp4');
    this.messageId = Math.floor(Math.random() * 0x10000);
    this.retransmissions = 0;
    this.separateResponses = 0;
    this.socket.on('message', (data) => this.onMessage(data));
  }

  open() {
    return new Promise((resolve) => this.socket.bind(0, '127.0.0.1', resolve));
  }

  /** Sends one CON POST; resolves with the response code once the (piggy-backed or separate) response is in. */
  post(payload) {
    this.messageId = (this.messageId + 1) & 0xffff;
    const token = Buffer.alloc(4);
    token.writeUInt32BE(this.messageId);
    const request = generate({
      confirmable: true,
      code: 'POST',
      messageId: this.messageId,
      token,
      options: this.path,
      payload: Buffer.from(payload),
    });
    return new Promise((resolve) => {
      this.pending = { messageId: this.messageId, token, resolve };
      const send = () => {
        this.socket.send(request, this.port, '127.0.0.1');
        this.pending.timer = setTimeout(() => {
          this.retransmissions++;
          send();
        }, RETRANSMIT_MS);
      };
      send();
    });
  }

  onMessage(data) {
    const message = parse(data);
    const pending = this.pending;
    if (message.confirmable) this.socket.send(generate({ ack: true, code: '0.00', messageId: message.messageId }), this.port, '127.0.0.1');
    if (!pending) return;
    if (message.ack && message.code === '0.00' && message.messageId === pending.messageId) {
      clearTimeout(pending.timer); // empty ACK: the response comes separately
      return;
    }
    if (message.code === '0.00' || !message.token.equals(pending.token)) return;
    if (!message.ack) this.separateResponses++;
    clearTimeout(pending.timer);
    this.pending = undefined;
    pending.resolve(message.code);
  }

  close() {
    clearTimeout(this.pending?.timer);
    this.socket.close();
  }
}

await runBenchmark('coap', async ({ product, log }) => {
  const port = product.ports.coap?.coap;
  if (!port) throw new Error('the server started no CoAP listener');
  const rest = await restClient(product.url);
  for (let d = 0; d < DEVICES; d++) await rest.createDevice(`bench-coap-${d}`, `BENCH_COAP_${d}`);
  log(`server up at ${product.url}, CoAP on ${port}; ${CLIENTS} clients over ${DEVICES} devices`);
  const clients = [];
  for (let c = 0; c < CLIENTS; c++) clients.push(new CoapClient(port, `BENCH_COAP_${c % DEVICES}`));
  await Promise.all(clients.map((client) => client.open()));

  const baseTs = Date.UTC(2020, 0, 1);
  const lanes = clients.map((client, index) => ({
    firstTs: baseTs + index * 1e8,
    send: async (body) => (await client.post(body)) === '2.01',
  }));
  const { failures, ...measured } = await measureRequestLanes({
    product,
    rest,
    log,
    lanes,
    warmupSeconds: WARMUP_SECONDS,
    seconds: SECONDS,
    closeClients: () => clients.forEach((client) => client.close()),
  });
  const sum = (field) => clients.reduce((total, client) => total + client[field], 0);
  const result = ingestSummary({
    bench: 'ingest-coap',
    product,
    settings: { clients: CLIENTS, devices: DEVICES },
    ...measured,
    extra: { failedRequests: failures, retransmissions: sum('retransmissions'), separateResponses: sum('separateResponses') },
  });
  return { result, ok: result.everyAckedPointStored && failures === 0 };
});
