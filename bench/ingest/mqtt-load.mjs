// A lean MQTT 3.1.1 device simulator for the ingest benchmark: hand-assembled PUBLISH packets and a
// minimal PUBACK reader, so the load generator costs the shared 2-core machine as little as possible.
import { connect } from 'node:net';
import { telemetryAt } from './measure.mjs';

const TOPIC = Buffer.from('v1/devices/me/telemetry');

function remainingLength(n) {
  const bytes = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    bytes.push(byte);
  } while (n > 0);
  return bytes;
}

function connectPacket(clientId, username) {
  const id = Buffer.from(clientId);
  const user = Buffer.from(username);
  const variable = Buffer.from([0, 4, 0x4d, 0x51, 0x54, 0x54, 4, 0x82, 0, 60]); // MQTT 3.1.1, clean session + username, keep-alive 60 s
  const body = Buffer.concat([
    variable,
    Buffer.from([id.length >> 8, id.length & 255]),
    id,
    Buffer.from([user.length >> 8, user.length & 255]),
    user,
  ]);
  return Buffer.concat([Buffer.from([0x10, ...remainingLength(body.length)]), body]);
}

/** QoS 1 PUBLISH of `payload` with packet id `id`. */
function publishPacket(id, payload) {
  const body = TOPIC.length + 2 + 2 + payload.length;
  const header = remainingLength(body);
  const packet = Buffer.allocUnsafe(1 + header.length + body);
  let o = 0;
  packet[o++] = 0x32;
  for (const b of header) packet[o++] = b;
  packet[o++] = TOPIC.length >> 8;
  packet[o++] = TOPIC.length & 255;
  o += TOPIC.copy(packet, o);
  packet[o++] = id >> 8;
  packet[o++] = id & 255;
  packet.write(payload, o);
  return packet;
}

/**
 * One simulated device: connects with its token, then keeps up to `inflight` QoS 1 publishes outstanding
 * (or fewer when `allowance()` says the rate budget is spent). Each payload carries its own timestamp so
 * every acknowledged data point is a distinct row that the benchmark can count afterwards.
 */
export class SimulatedDevice {
  constructor({ port, token, index, inflight, startTs, onAck }) {
    Object.assign(this, { port, token, index, inflight, onAck });
    this.nextTs = startTs;
    this.nextId = 1;
    this.outstanding = 0;
    this.sent = 0;
    this.acked = 0;
    this.sendTimes = new Float64Array(65536);
    this.running = false;
    this.pending = Buffer.alloc(0);
  }

  open() {
    return new Promise((resolve, reject) => {
      this.socket = connect({ port: this.port, host: '127.0.0.1', noDelay: true });
      this.socket.on('error', reject);
      this.socket.once('connect', () => this.socket.write(connectPacket(`bench-${this.index}`, this.token)));
      this.onConnack = (code) => (code === 0 ? resolve() : reject(new Error(`CONNACK ${code} for device ${this.index}`)));
      this.socket.on('data', (chunk) => this.read(chunk));
    });
  }

  /** Sends while the window and the rate allowance permit. */
  pump(allowance = () => true) {
    while (this.running && this.outstanding < this.inflight && allowance()) {
      const id = this.nextId;
      this.nextId = id === 65535 ? 1 : id + 1;
      const ts = this.nextTs++;
      this.sendTimes[id] = performance.now();
      this.outstanding++;
      this.sent++;
      this.socket.write(publishPacket(id, telemetryAt(ts)));
    }
  }

  read(chunk) {
    let buf = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    let o = 0;
    while (buf.length - o >= 2) {
      const type = buf[o] >> 4;
      const length = buf[o + 1]; // PUBACK and CONNACK have 2-byte bodies; a one-byte length suffices here
      if (buf.length - o < 2 + length) break;
      if (type === 4) {
        const id = (buf[o + 2] << 8) | buf[o + 3];
        this.outstanding--;
        this.acked++;
        this.onAck(performance.now() - this.sendTimes[id]);
      } else if (type === 2) {
        this.onConnack(buf[o + 3]);
      }
      o += 2 + length;
    }
    this.pending = o < buf.length ? buf.subarray(o) : Buffer.alloc(0);
    this.pump(this.allowance);
  }

  close() {
    this.socket.end();
  }
}
