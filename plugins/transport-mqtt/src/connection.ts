import { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { TLSSocket } from 'node:tls';
import type { DeviceIdentity, TransportContext } from '@edgewise/plugin-api';
import { errorMessage, type ThrottledLog } from '@edgewise/plugin-api';
import { generate, parser, type IConnectPacket, type Packet, type Parser } from 'mqtt-packet';
import { connackReturnCodeV3, judgeAuthResult, planConnect, unavailableRefusal, type ConnectRefusal } from './connect-auth';
import { DeviceMqttSession } from './device-session';
import type { MqttLink, SessionHandler } from './link';
import type { MqttOptions } from './options';
import { ProvisionSession } from './provision-session';
import { ReasonCode } from './reason-codes';
import { normalizeProtocolLevel } from './wire';

/** What every connection of one transport shares. */
export interface ConnectionEnvironment {
  readonly context: TransportContext;
  readonly options: MqttOptions;
  readonly maxPayloadBytes: number;
  readonly problems: ThrottledLog;
}

/** Room beyond the payload for a PUBLISH's topic (up to 64 KiB), packet id and MQTT 5 properties. */
const PUBLISH_OVERHEAD_BYTES = 65_536 + 4_096;

/** A socket that does not take our last bytes within this time is cut off. */
const CLOSE_GRACE_MS = 5_000;

const PINGRESP = Buffer.from([0xd0, 0x00]);

type Phase = 'awaitingConnect' | 'authenticating' | 'session' | 'closed';

/**
 * One device connection: socket, MQTT codec, the CONNECT/authentication phase (with the packets that
 * arrive before CONNACK held back, §1.14), then a session handler for everything after CONNACK.
 */
export class MqttConnection implements MqttLink {
  v5 = false;
  readonly openedAt = Date.now();
  lastActivityAt = this.openedAt;
  private phase: Phase = 'awaitingConnect';
  private protocolVersion: 3 | 4 | 5 = 4;
  private readonly parser: Parser = parser();
  /** First bytes held until the CONNECT protocol level can be checked; undefined once it has been. */
  private connectHead: Buffer | undefined = Buffer.alloc(0);
  private readonly heldBack: Packet[] = [];
  private handler: SessionHandler | undefined;
  private readingPaused = false;
  private readonly socketClosed: Promise<void>;

  constructor(
    /** A TCP or TLS socket, or the byte stream of a WebSocket (MQTT over WebSocket). */
    private readonly socket: Duplex,
    private readonly environment: ConnectionEnvironment,
  ) {
    if (socket instanceof Socket) socket.setNoDelay(true);
    this.parser.on('packet', (packet) => this.onPacket(packet));
    this.parser.on('error', (error: unknown) => this.onMalformed(error));
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error) => environment.problems.debug('socket-error', 'MQTT transport: socket error', { error: error.message }));
    this.socketClosed = new Promise((resolve) => socket.once('close', () => resolve(this.onSocketClosed())));
  }

  get closed(): boolean {
    return this.phase === 'closed';
  }

  /** Resolves once the socket is fully closed. */
  whenClosed(): Promise<void> {
    return this.socketClosed;
  }

  /** Called periodically: drops sockets that never sent CONNECT and sessions that went quiet. */
  closeIfIdle(now: number): void {
    const { connectTimeoutMs, inactivityTimeoutMs } = this.environment.options;
    if (this.phase === 'awaitingConnect' && now - this.openedAt > connectTimeoutMs) this.terminate();
    else if (now - this.lastActivityAt > inactivityTimeoutMs) this.terminate(ReasonCode.MAXIMUM_CONNECT_TIME);
  }

  // ---- input ----

  private onData(chunk: Buffer): void {
    this.lastActivityAt = Date.now();
    if (this.closed) return;
    if (this.connectHead !== undefined) {
      const head = this.connectHead.length === 0 ? chunk : Buffer.concat([this.connectHead, chunk]);
      const normalized = normalizeProtocolLevel(head);
      this.connectHead = normalized === undefined ? head : undefined;
      if (normalized === undefined) return;
      chunk = normalized;
    }
    const buffered = this.parser.parse(chunk);
    // The parser holds a packet until it is complete: an oversized one is refused before it is buffered whole.
    if (buffered > this.environment.maxPayloadBytes + PUBLISH_OVERHEAD_BYTES) this.terminate(ReasonCode.MALFORMED_PACKET);
  }

  private onMalformed(error: unknown): void {
    this.environment.problems.debug('malformed-packet', 'MQTT transport: malformed packet, closing the connection', {
      error: errorMessage(error),
    });
    this.terminate(ReasonCode.MALFORMED_PACKET);
  }

  private onPacket(packet: Packet): void {
    if (this.closed) return;
    if (packet.cmd === 'publish' && packet.payload.length > this.environment.maxPayloadBytes)
      return this.terminate(ReasonCode.MALFORMED_PACKET);
    try {
      switch (this.phase) {
        case 'awaitingConnect':
          return packet.cmd === 'connect' ? this.onConnect(packet) : this.terminate();
        case 'authenticating':
          return this.holdBack(packet);
        case 'session':
          return this.dispatch(packet);
      }
    } catch (error) {
      // A bug on our side must cost this connection, never the process.
      this.environment.problems.error('packet-handler-failure', 'MQTT transport: failed to handle a packet', {
        cmd: packet.cmd,
        error: errorMessage(error),
      });
      this.terminate(ReasonCode.IMPLEMENTATION_SPECIFIC_ERROR);
    }
  }

  private holdBack(packet: Packet): void {
    if (packet.cmd === 'connect') return this.terminate(ReasonCode.PROTOCOL_ERROR);
    if (this.heldBack.length >= this.environment.options.maxQueuedBeforeConnack) return this.terminate(ReasonCode.QUOTA_EXCEEDED);
    this.heldBack.push(packet);
  }

  private dispatch(packet: Packet): void {
    const handler = this.handler as SessionHandler;
    switch (packet.cmd) {
      case 'publish':
        return handler.onPublish(packet);
      case 'puback':
        return handler.onPuback(packet.messageId ?? 0);
      case 'subscribe':
        return handler.onSubscribe(packet);
      case 'unsubscribe':
        return handler.onUnsubscribe(packet);
      case 'pingreq':
        this.write(PINGRESP);
        return handler.onPing();
      case 'disconnect':
        return this.terminate();
      case 'pubrec':
      case 'pubrel':
      case 'pubcomp':
        return; // QoS 2 is never granted; stray QoS 2 flow packets are ignored
      default:
        return this.terminate(ReasonCode.PROTOCOL_ERROR);
    }
  }

  // ---- CONNECT ----

  private onConnect(packet: IConnectPacket): void {
    this.phase = 'authenticating';
    this.protocolVersion = packet.protocolVersion ?? 4;
    this.v5 = this.protocolVersion === 5;
    const sessionPresent = !packet.clean;
    const certificate = this.socket instanceof TLSSocket ? this.socket.getPeerCertificate() : undefined;
    const plan = planConnect(packet, certificate, new Date());
    if (plan.kind === 'provision') return this.accept(new ProvisionSession(this, this.environment), sessionPresent);
    if (plan.kind === 'refuse') return this.refuse(plan.refusal, sessionPresent);
    const { viaCertificate } = plan;
    this.environment.context.authenticate(plan.credentials).then(
      (result) => {
        if (this.closed) return;
        const judged = judgeAuthResult(result, packet, viaCertificate);
        if ('connack' in judged) return this.refuse(judged, sessionPresent);
        this.openDeviceSession(judged, viaCertificate, sessionPresent);
      },
      (error: unknown) => this.refuseUnavailable(error, viaCertificate, sessionPresent),
    );
  }

  private openDeviceSession(device: DeviceIdentity, viaCertificate: boolean, sessionPresent: boolean): void {
    const { context, options, maxPayloadBytes, problems } = this.environment;
    let session: DeviceMqttSession;
    try {
      const limits = { maxPayloadBytes, maxInflightMessages: options.maxQueuedBeforeConnack };
      session = new DeviceMqttSession(this, context, device, limits, options.serverRpcAckTimeoutMs, problems);
    } catch (error) {
      return this.refuseUnavailable(error, viaCertificate, sessionPresent);
    }
    this.accept(session, sessionPresent);
  }

  private refuseUnavailable(error: unknown, viaCertificate: boolean, sessionPresent: boolean): void {
    if (this.closed) return;
    this.environment.problems.error('core-auth-failure', 'MQTT transport: the core could not authenticate or open a session', {
      error: errorMessage(error),
    });
    this.refuse(unavailableRefusal(viaCertificate, errorMessage(error)), sessionPresent);
  }

  private accept(handler: SessionHandler, sessionPresent: boolean): void {
    this.send(
      this.v5 ? { cmd: 'connack', reasonCode: ReasonCode.SUCCESS, sessionPresent } : { cmd: 'connack', returnCode: 0, sessionPresent },
    );
    this.handler = handler;
    this.phase = 'session';
    for (const packet of this.heldBack.splice(0)) this.onPacket(packet);
  }

  private refuse(refusal: ConnectRefusal, sessionPresent: boolean): void {
    this.environment.problems.debug('connect-refused', 'MQTT transport: CONNECT refused', {
      reason: refusal.reason,
      code: refusal.connack,
    });
    this.send(
      this.v5
        ? { cmd: 'connack', reasonCode: refusal.connack, sessionPresent }
        : { cmd: 'connack', returnCode: connackReturnCodeV3(refusal.connack), sessionPresent },
    );
    this.terminate(refusal.disconnect);
  }

  // ---- output (MqttLink) ----

  write(bytes: Buffer): void {
    if (this.socket.writableEnded || this.socket.destroyed) return;
    // A device that does not read its acks stops being read: no unbounded buffering on either side.
    if (!this.socket.write(bytes) && !this.readingPaused) {
      this.readingPaused = true;
      this.socket.pause();
      this.socket.once('drain', () => {
        this.readingPaused = false;
        this.socket.resume();
      });
    }
  }

  send(packet: Packet): void {
    this.write(generate(packet, { protocolVersion: this.protocolVersion }));
  }

  encodePublish(topic: string, payload: string | Buffer, qos: number, packetId?: number): Buffer {
    return generate(
      { cmd: 'publish', topic, payload, qos: qos === 0 ? 0 : 1, messageId: packetId, dup: false, retain: false },
      { protocolVersion: this.protocolVersion },
    );
  }

  terminate(reasonCode?: number): void {
    if (this.closed) return;
    this.phase = 'closed';
    this.handler?.flushAcks();
    if (this.v5 && reasonCode !== undefined) this.send({ cmd: 'disconnect', reasonCode });
    this.socket.end(() => this.socket.destroy());
    setTimeout(() => this.socket.destroy(), CLOSE_GRACE_MS).unref();
  }

  private onSocketClosed(): void {
    this.phase = 'closed';
    this.handler?.dispose();
    this.handler = undefined;
  }
}
