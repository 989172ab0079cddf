/**
 * The CoAP transport on a free UDP port with a fake core behind it, and two kinds of device in front of it:
 * the `coap` npm client (a real, independent CoAP implementation) and a raw UDP peer for message-level tests
 * (duplicates, Resets, malformed datagrams) that a well-behaved client never sends.
 */
import { createSocket, type Socket } from 'node:dgram';
import type { TransportSettings } from '@edgewise/plugin-api';
import { Agent, request, type IncomingMessage, type ObserveReadStream } from 'coap';
import { generate, parse, type ParsedPacket, type Packet } from 'coap-packet';
import { CoapTransport } from '../coap-transport';
import type { CoapOptions } from '../options';
import { FakeCore, TOKEN } from './fake-core';

/** What a device sees of a response. */
export interface Reply {
  code: string;
  payload: string;
  /** Numeric Content-Format, if the response carried one. */
  contentFormat?: number;
  observe?: number;
}

export interface RequestOptions {
  payload?: string | Buffer;
  /** Uri-Query options, e.g. `clientKeys=a,b&sharedKeys=c`. */
  query?: string;
  confirmable?: boolean;
  contentFormat?: number;
  observe?: 0 | 1;
  token?: Buffer;
  /** Sends the payload block-wise (Block1) in blocks of 2^(szx+4) bytes. */
  block1Szx?: number;
}

/** Lets pending callbacks run. */
export const settle = (ms = 20) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `check` holds, up to `withinMs`. */
export async function until(check: () => boolean, withinMs = 3_000): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${withinMs} ms: ${check.toString()}`);
    await settle(5);
  }
}

/** The coap client names the Content-Formats it knows. */
const FORMAT_NUMBERS: Record<string, number> = {
  'text/plain': 0,
  'application/link-format': 40,
  'application/octet-stream': 42,
  'application/json': 50,
};

function toReply(response: IncomingMessage, payload: Buffer = response.payload): Reply {
  const format = response.headers['Content-Format'];
  const observe = response.headers.Observe;
  return {
    code: response.code,
    payload: payload.toString(),
    contentFormat: typeof format === 'number' ? format : typeof format === 'string' ? FORMAT_NUMBERS[format] : undefined,
    observe: typeof observe === 'number' ? observe : undefined,
  };
}

/** An observing client: the first response, then each notification as it comes. */
export class Observer {
  readonly notifications: Reply[] = [];

  constructor(
    readonly first: Reply,
    private readonly stream: ObserveReadStream | undefined,
  ) {
    let firstSeen = false; // the stream replays the first response as its first data
    stream?.on('data', (payload: Buffer) => {
      if (!firstSeen) return void (firstSeen = true);
      this.notifications.push(toReply(stream, payload));
    });
  }

  /** Resolves with the `n`-th notification (1-based) once it arrived. */
  async notification(n = 1, withinMs = 3_000): Promise<Reply> {
    await until(() => this.notifications.length >= n, withinMs);
    return this.notifications[n - 1];
  }
}

/** Uri-Path options of a path such as `/api/v1/TOKEN/attributes`. */
export function uriPath(resource: string) {
  return resource
    .split('/')
    .filter(Boolean)
    .map((segment) => ({ name: 'Uri-Path' as const, value: Buffer.from(segment) }));
}

export const hasOption = (packet: ParsedPacket, name: string): boolean => packet.options.some((option) => option.name === name);

/** A UDP peer that speaks raw CoAP messages. */
export class RawPeer {
  readonly received: ParsedPacket[] = [];
  private constructor(
    private readonly socket: Socket,
    private readonly port: number,
  ) {
    socket.on('message', (data) => this.received.push(parse(data)));
  }

  static async open(port: number): Promise<RawPeer> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    return new RawPeer(socket, port);
  }

  send(packet: Packet | Buffer): void {
    this.socket.send(Buffer.isBuffer(packet) ? packet : generate(packet), this.port, '127.0.0.1');
  }

  /** Sends GET `resource` (a path) with Observe `observe`: 0 registers, 1 deregisters. */
  observe(resource: string, token: string, messageId: number, { observe = 0, confirmable = true } = {}): void {
    const observeOption = { name: 'Observe' as const, value: observe === 0 ? Buffer.alloc(0) : Buffer.from([observe]) };
    this.send({ confirmable, code: 'GET', messageId, token: Buffer.from(token), options: [observeOption, ...uriPath(resource)] });
  }

  /** Acknowledges a confirmable message. */
  ack(packet: ParsedPacket): void {
    this.send({ ack: true, code: '0.00', messageId: packet.messageId });
  }

  /** The next message not yet taken that matches `match`. */
  async next(match: (packet: ParsedPacket) => boolean = () => true, withinMs = 3_000): Promise<ParsedPacket> {
    let found: ParsedPacket | undefined;
    await until(() => (found = this.received.find(match)) !== undefined, withinMs);
    this.received.splice(this.received.indexOf(found!), 1);
    return found!;
  }

  close(): void {
    this.socket.close();
  }
}

export class CoapHarness {
  readonly core = new FakeCore();
  transport!: CoapTransport;
  port = 0;
  private readonly agents: Agent[] = [];
  private readonly peers: RawPeer[] = [];

  async start(options: Partial<CoapOptions> = {}, settings: Partial<TransportSettings> = {}): Promise<this> {
    this.transport = new CoapTransport(this.core, {
      host: '127.0.0.1',
      ports: { coap: 0 },
      maxPayloadBytes: 65_536,
      options,
      ...settings,
    });
    await this.transport.start();
    this.port = this.transport.boundPorts().coap;
    return this;
  }

  async stop(): Promise<void> {
    for (const peer of this.peers) peer.close();
    for (const agent of this.agents) {
      try {
        agent.close();
      } catch {
        // the client closes its socket by itself once nothing is in flight
      }
    }
    await this.transport?.stop();
  }

  /** A client of its own (own socket): requests from it come from one peer address and port. */
  agent(): Agent {
    const agent = new Agent({ type: 'udp4' });
    this.agents.push(agent);
    return agent;
  }

  async raw(): Promise<RawPeer> {
    const peer = await RawPeer.open(this.port);
    this.peers.push(peer);
    return peer;
  }

  /** `path` may contain `{token}` for the test token. Resolves with the response, or `undefined` after `withinMs` without one. */
  request(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, options: RequestOptions = {}, agent = this.agent(), withinMs = 3_000) {
    const outgoing = this.outgoing(method, path, options, agent);
    return new Promise<Reply | undefined>((resolve, reject) => {
      const timer = setTimeout(() => resolve(undefined), withinMs);
      outgoing.on('response', (response: IncomingMessage) => {
        clearTimeout(timer);
        resolve(toReply(response));
      });
      outgoing.on('error', reject);
      outgoing.end(options.payload);
    });
  }

  /** GET `path` and the response body as bytes (OTA downloads); the client does any block-wise transfer. */
  download(path: string, query?: string): Promise<Buffer> {
    const outgoing = this.outgoing('GET', path, { query }, this.agent());
    return new Promise((resolve, reject) => {
      outgoing.on('response', (response: IncomingMessage) =>
        response.code === '2.05' ? resolve(response.payload) : reject(new Error(`GET ${path} answered ${response.code}`)),
      );
      outgoing.on('error', reject);
      outgoing.end();
    });
  }

  /** Observes `path` (GET with Observe=0) from `agent`. */
  observe(path: string, options: RequestOptions = {}, agent = this.agent()): Promise<Observer> {
    const outgoing = this.outgoing('GET', path, { ...options, observe: 0 }, agent);
    return new Promise((resolve, reject) => {
      outgoing.on('response', (response: IncomingMessage) => {
        const stream = response.headers.Observe === undefined ? undefined : (response as ObserveReadStream);
        resolve(new Observer(toReply(response), stream));
      });
      outgoing.on('error', reject);
      outgoing.end();
    });
  }

  private outgoing(method: string, path: string, options: RequestOptions, agent: Agent) {
    const outgoing = request({
      hostname: '127.0.0.1',
      port: this.port,
      method: method as 'GET',
      pathname: path.replace('{token}', TOKEN),
      query: options.query,
      confirmable: options.confirmable ?? true,
      observe: options.observe,
      token: options.token,
      agent,
    });
    if (options.contentFormat !== undefined) outgoing.setOption('Content-Format', Buffer.from([options.contentFormat]));
    if (options.block1Szx !== undefined) outgoing.setOption('Block1', Buffer.from([options.block1Szx]));
    return outgoing;
  }
}
