/** Starts the transport on loopback port 0 and talks to it with mqtt.js or with raw MQTT packets. */
import { connect as connectTcp, type Socket } from 'node:net';
import type { TransportInstance, TransportSettings } from '@edgewise/plugin-api';
import { FakeTransportCore, TEST_TOKEN } from '@edgewise/plugin-api/testing';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { generate, parser, type IConnackPacket, type IConnectPacket, type Packet } from 'mqtt-packet';
import { mqttTransport } from '../index';

const cleanups: (() => Promise<unknown> | void)[] = [];

/** Closes every client and transport the test started; call from afterEach. */
export async function cleanUp(): Promise<void> {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
}

export interface Harness {
  core: FakeTransportCore;
  transport: TransportInstance;
  port: number;
}

export async function startTransport(settings: Partial<TransportSettings> = {}, core = new FakeTransportCore()): Promise<Harness> {
  const transport = mqttTransport.create(core, {
    host: '127.0.0.1',
    ports: { mqtt: 0 },
    maxPayloadBytes: 65_536,
    options: {},
    ...settings,
  });
  await transport.start();
  cleanups.push(() => transport.stop());
  return { core, transport, port: transport.boundPorts().mqtt };
}

/** A connected mqtt.js client (no reconnects), MQTT 3.1.1 with the test token unless told otherwise. */
export async function connectClient(port: number, options: IClientOptions = {}): Promise<MqttClient> {
  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, {
    protocolVersion: 4,
    username: TEST_TOKEN,
    reconnectPeriod: 0,
    connectTimeout: 2_000,
    ...options,
  });
  cleanups.push(() => client.endAsync(true));
  return client;
}

/** The error mqtt.js reports for a refused CONNECT (its `code` is the CONNACK code). */
export async function connectRefusal(port: number, options: IClientOptions): Promise<{ code?: number }> {
  try {
    await connectClient(port, options);
  } catch (error) {
    return error as { code?: number };
  }
  throw new Error('CONNECT was accepted');
}

/** Resolves with the next message mqtt.js delivers. */
export function nextMessage(client: MqttClient): Promise<{ topic: string; payload: string; qos: number }> {
  return new Promise((resolve) =>
    client.once('message', (topic, payload, packet) => resolve({ topic, payload: payload.toString(), qos: packet.qos })),
  );
}

const WAIT_MS = 2_000;

/** A raw MQTT client: exact packets in, exact packets out, for what mqtt.js hides (DISCONNECT reasons, ack order). */
export class RawClient {
  private readonly received: Packet[] = [];
  /** Every byte the server sent, for packets mqtt-packet itself refuses to parse. */
  private receivedBytes = Buffer.alloc(0);
  private waiting: ((packet: Packet) => void) | undefined;
  readonly closed: Promise<void>;

  private constructor(
    private readonly socket: Socket,
    readonly protocolVersion: 3 | 4 | 5,
  ) {
    const incoming = parser({ protocolVersion });
    incoming.on('packet', (packet: Packet) => {
      if (this.waiting) {
        const deliver = this.waiting;
        this.waiting = undefined;
        deliver(packet);
      } else this.received.push(packet);
    });
    // The contract's DISCONNECT reasons 0x85/0x86 are not DISCONNECT codes in MQTT 5, so mqtt-packet refuses them: keep the bytes.
    incoming.on('error', () => {});
    socket.on('data', (chunk: Buffer) => {
      this.receivedBytes = Buffer.concat([this.receivedBytes, chunk]);
      incoming.parse(chunk);
    });
    socket.on('error', () => {});
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  static open(port: number, protocolVersion: 3 | 4 | 5 = 4): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = connectTcp(port, '127.0.0.1', () => resolve(new RawClient(socket, protocolVersion)));
      socket.once('error', reject);
      cleanups.push(() => void socket.destroy());
    });
  }

  /** Opens a socket and sends CONNECT; resolves with the CONNACK. */
  static async connect(
    port: number,
    connect: Partial<IConnectPacket> = {},
    protocolVersion: 3 | 4 | 5 = 4,
  ): Promise<{ client: RawClient; connack: IConnackPacket }> {
    const client = await RawClient.open(port, protocolVersion);
    client.send({
      cmd: 'connect',
      protocolId: protocolVersion === 3 ? 'MQIsdp' : 'MQTT',
      protocolVersion,
      clientId: 'raw',
      clean: true,
      keepalive: 60,
      username: TEST_TOKEN,
      ...connect,
    });
    const connack = await client.next();
    if (connack.cmd !== 'connack') throw new Error(`expected CONNACK, got ${connack.cmd}`);
    return { client, connack };
  }

  send(packet: Packet): void {
    this.socket.write(generate(packet, { protocolVersion: this.protocolVersion }));
  }

  sendBytes(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** The next packet from the server; rejects when none arrives in time or the socket closes first. */
  next(): Promise<Packet> {
    const queued = this.received.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting = undefined;
        reject(new Error('no packet from the server'));
      }, WAIT_MS);
      void this.closed.then(() => reject(new Error('socket closed')));
      this.waiting = (packet) => {
        clearTimeout(timer);
        resolve(packet);
      };
    });
  }

  /** Resolves with true when the server closes the socket in time. */
  async closedWithin(ms = WAIT_MS): Promise<boolean> {
    return Promise.race([this.closed.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms))]);
  }

  /** Every byte received so far, as hex. */
  bytesHex(): string {
    return this.receivedBytes.toString('hex');
  }

  /** The packets received so far and not yet taken with `next`. */
  pending(): readonly Packet[] {
    return this.received;
  }

  /** SUBSCRIBE to `[filter, qos]` pairs. */
  subscribe(messageId: number, ...subscriptions: [string, 0 | 1 | 2][]): void {
    this.send({ cmd: 'subscribe', messageId, subscriptions: subscriptions.map(([topic, qos]) => ({ topic, qos })) });
  }

  publish(topic: string, payload: string, qos: 0 | 1, messageId?: number): void {
    this.send({ cmd: 'publish', topic, payload, qos, messageId, dup: false, retain: false });
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
