/**
 * Peers for the stack's tests: endpoints of the stack itself on free UDP ports, and a raw UDP peer that speaks
 * single CoAP messages (retransmissions, lost ACKs, Resets, stale notifications) a well-behaved stack never sends.
 */
import { createSocket, type Socket } from 'node:dgram';
import type { DatagramPeer } from '@edgewise/plugin-api';
import { generate, parse, type Packet, type ParsedPacket } from 'coap-packet';
import { DEFAULT_ENDPOINT_SETTINGS, type EndpointSettings, type Exchange } from '../coap-endpoint';
import { openUdpEndpoint } from '../udp';

export const settle = (ms = 20) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `check` holds, up to `withinMs`. */
export async function until(check: () => boolean, withinMs = 3_000): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${withinMs} ms: ${check.toString()}`);
    await settle(5);
  }
}

/** Fast retransmissions so that lost-message tests take milliseconds. */
export const TEST_SETTINGS: EndpointSettings = {
  ...DEFAULT_ENDPOINT_SETTINGS,
  name: 'test endpoint',
  maxPayloadBytes: 64 * 1024,
  ackTimeoutMs: 30,
  maxRetransmit: 2,
  piggybackTimeoutMs: 50,
};

/** A stack endpoint on a free port of 127.0.0.1 (`local`), answering 4.04 unless given a handler. */
export const openTestEndpoint = (handler: (exchange: Exchange) => void = refuseAll, settings: Partial<EndpointSettings> = {}) =>
  openUdpEndpoint('127.0.0.1', 0, handler, { ...TEST_SETTINGS, ...settings });

const refuseAll = (exchange: Exchange) => void exchange.respond({ code: '4.04' });

/** A UDP peer that sends and receives raw CoAP messages. */
export class RawPeer {
  readonly received: ParsedPacket[] = [];
  private constructor(private readonly socket: Socket) {
    socket.on('message', (data) => this.received.push(parse(data)));
  }

  static async open(): Promise<RawPeer> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    return new RawPeer(socket);
  }

  get address(): DatagramPeer {
    return { address: '127.0.0.1', port: this.socket.address().port };
  }

  send(to: DatagramPeer, packet: Packet): void {
    this.sendBytes(to, generate(packet));
  }

  sendBytes(to: DatagramPeer, bytes: Buffer): void {
    this.socket.send(bytes, to.port, to.address);
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

export const optionOf = (packet: ParsedPacket, name: string): Buffer | undefined => packet.options.find((o) => o.name === name)?.value;
