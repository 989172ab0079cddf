import type { DeviceSession, ServerRpcRequest, SessionCloseReason, SessionListener, TransportContext } from '@edgewise/plugin-api';
import { errorMessage, type ThrottledLog } from '@edgewise/plugin-api';
import type { IPublishPacket } from 'mqtt-packet';
import {
  gatewayAttributesResponse,
  InvalidGatewayJson,
  readAttributesRequest,
  readConnect,
  readDeviceEntries,
  readDisconnect,
  readRpcReply,
  type DeviceEntry,
  type EntryKind,
} from './gateway-messages';
import type { InflightDownlinks } from './inflight-downlinks';
import type { MqttLink } from './link';
import type { PendingAck } from './ordered-acks';
import { ReasonCode } from './reason-codes';
import { GATEWAY_TOPICS } from './topics';

/** What the gateway part borrows from the gateway device's own MQTT session (one connection, one ack order, one id space). */
export interface GatewayHost {
  readonly link: MqttLink;
  readonly context: TransportContext;
  /** The gateway device's own core session. */
  readonly gateway: DeviceSession;
  readonly downlinks: InflightDownlinks;
  readonly problems: ThrottledLog;
  /** A place in the connection's PUBACK order for a QoS 1 publish. */
  reserveAck(messageId: number): PendingAck;
  /** QoS granted to a subscription of exactly `filter`, or undefined when not subscribed. */
  grantedQos(filter: string): number | undefined;
}

/** The core's PayloadError, recognised by name so that a plugin-api copy of another version still counts. */
const isPayloadError = (error: unknown): boolean => error instanceof Error && error.name === 'PayloadError';

/**
 * The one PUBACK of a gateway message (device-api.md §4.3): sent once every device entry was accepted, or at
 * the first failure with that failure's reason code; later outcomes do not change it. QoS 0 messages get no
 * PUBACK (as MQTT requires; the reference writes one with packet id 0) but fail the same way otherwise.
 */
class GatewayAck {
  private remaining: number;
  private decided = false;
  private readonly link: MqttLink;
  private readonly ack: PendingAck | undefined;

  constructor(host: GatewayHost, packet: IPublishPacket, entries: number) {
    this.link = host.link;
    this.remaining = entries;
    this.ack = packet.qos > 0 ? host.reserveAck(packet.messageId ?? 0) : undefined;
  }

  /** Whether this call decided the PUBACK (and sent it, for QoS 1). */
  decide(reasonCode: number): boolean {
    if (this.decided) return false;
    this.decided = true;
    this.ack?.complete(reasonCode);
    return true;
  }

  readonly entryAccepted = (): void => {
    if (--this.remaining === 0) this.decide(ReasonCode.SUCCESS);
  };

  /** A device entry the core (or the contract) refuses: MQTT 5 answers 0x99, MQTT 3.1.1 has no way to say it but closing. */
  readonly entryInvalid = (): void => {
    if (this.link.v5) this.decide(ReasonCode.PAYLOAD_FORMAT_INVALID);
    else this.link.terminate();
  };

  /** The child device could not be found or created: 0x80 (attribute requests: 0x83), the connection stays. */
  childRefused(reasonCode: number = ReasonCode.UNSPECIFIED_ERROR): void {
    this.decide(reasonCode);
  }

  /** The core failed to take an accepted entry: 0x80 then close, unless the PUBACK already left. */
  readonly failedInternally = (): void => {
    if (this.decide(ReasonCode.UNSPECIFIED_ERROR)) this.link.terminate();
  };
}

/** One child device as this gateway connection knows it: the name the gateway uses, and its core session once open. */
class Child implements SessionListener {
  readonly session: Promise<DeviceSession>;

  constructor(
    private readonly owner: GatewayMqttSession,
    readonly name: string,
    type: string | undefined,
    host: GatewayHost,
  ) {
    try {
      this.session = host.context.openGatewayChildSession(host.gateway, name, type, this);
    } catch (error) {
      this.session = Promise.reject(error as Error);
    }
  }

  onAttributeUpdate(payload: string): void {
    this.owner.publish(GATEWAY_TOPICS.attributes, `{"device":${JSON.stringify(this.name)},"data":${payload}}`);
  }

  onServerRpc(request: ServerRpcRequest): Promise<void> {
    const data = JSON.stringify({ id: request.id, method: request.method, params: request.params });
    return this.owner.publishAwaitingAck(GATEWAY_TOPICS.rpc, `{"device":${JSON.stringify(this.name)},"data":${data}}`);
  }

  /** The core ended the child's session (device deleted, credentials changed …): the gateway connection stays. */
  onClose(_reason: SessionCloseReason): void {
    this.owner.forget(this);
  }
}

/**
 * The gateway API on a gateway device's MQTT connection (device-api.md §4): child devices connected by name,
 * their uplinks split out of the gateway's messages, their downlinks published on `v1/gateway/*` with the
 * device name. A name not yet connected on this connection is connected implicitly (type `default`).
 */
export class GatewayMqttSession {
  /** By the name the gateway uses. After a rename the old name keeps addressing the device (device-api.md §4.4). */
  private readonly children = new Map<string, Child>();

  constructor(private readonly host: GatewayHost) {}

  onPublish(packet: IPublishPacket): void {
    this.host.gateway.reportActivity();
    const text = packet.payload.toString();
    try {
      switch (packet.topic) {
        case GATEWAY_TOPICS.connect:
          return this.connect(packet, text);
        case GATEWAY_TOPICS.disconnect:
          return this.disconnect(packet, text);
        case GATEWAY_TOPICS.telemetry:
          return this.postEntries(packet, text, 'telemetry');
        case GATEWAY_TOPICS.attributes:
          return this.postEntries(packet, text, 'attributes');
        case GATEWAY_TOPICS.claim:
          return this.postEntries(packet, text, 'claim');
        case GATEWAY_TOPICS.attributesRequest:
          return this.requestAttributes(packet, text);
        case GATEWAY_TOPICS.rpc:
          return this.replyToRpc(packet, text);
        default:
          if (packet.qos > 0) this.host.reserveAck(packet.messageId ?? 0).complete(ReasonCode.TOPIC_NAME_INVALID);
      }
    } catch (error) {
      this.rejectMessage(packet, error);
    }
  }

  /** The gateway connection is gone; the core closes the child sessions with the gateway's (TransportContext contract). */
  dispose(): void {
    this.children.clear();
  }

  // ---- uplinks ----

  private connect(packet: IPublishPacket, text: string): void {
    const { device, type } = readConnect(text);
    const ack = new GatewayAck(this.host, packet, 1);
    this.child(device, type).session.then(ack.entryAccepted, (error: unknown) => this.childRefused(ack, device, error));
  }

  /** Unknown names are ignored; the PUBACK always follows (device-api.md §4.3). */
  private disconnect(packet: IPublishPacket, text: string): void {
    const device = readDisconnect(text);
    const child = this.children.get(device);
    if (child) {
      this.children.delete(device);
      child.session.then(
        (session) => session.close(),
        () => {},
      );
    }
    new GatewayAck(this.host, packet, 1).entryAccepted();
  }

  private postEntries(packet: IPublishPacket, text: string, kind: EntryKind): void {
    const { entries, skipped } = readDeviceEntries(text, kind);
    if (skipped.length)
      this.host.problems.warn(
        'gateway-entry-skipped',
        `MQTT transport: gateway ${kind} entries skipped; map each device name to ${kind === 'telemetry' ? 'an array' : 'an object'}`,
        {
          gateway: this.host.gateway.device.deviceName,
          devices: skipped,
        },
      );
    const ack = new GatewayAck(this.host, packet, entries.length);
    for (const entry of entries) this.postEntry(ack, entry, kind);
  }

  private postEntry(ack: GatewayAck, entry: DeviceEntry, kind: EntryKind): void {
    this.child(entry.device).session.then(
      (session) => {
        if ('invalid' in entry) return this.entryInvalid(ack, entry.device, new Error(entry.invalid));
        const post =
          kind === 'telemetry'
            ? session.postTelemetry(entry.payload)
            : kind === 'attributes'
              ? session.postAttributes(entry.payload)
              : session.claim(entry.payload);
        post.then(ack.entryAccepted, (error: unknown) =>
          isPayloadError(error) ? this.entryInvalid(ack, entry.device, error) : this.failedInternally(ack, entry.device, error),
        );
      },
      (error: unknown) => this.childRefused(ack, entry.device, error),
    );
  }

  private requestAttributes(packet: IPublishPacket, text: string): void {
    const asked = readAttributesRequest(text);
    const ack = new GatewayAck(this.host, packet, 1);
    this.child(asked.device).session.then(
      (session) => {
        ack.entryAccepted();
        session.getAttributes(asked.request).then(
          (answer) => this.publish(GATEWAY_TOPICS.attributesResponse, gatewayAttributesResponse(asked, answer)),
          (error: unknown) => this.failAfterAck(asked.device, error),
        );
      },
      // The reference answers a failed child connect of an attribute request with 0x83, not 0x80.
      (error: unknown) => this.childRefused(ack, asked.device, error, ReasonCode.IMPLEMENTATION_SPECIFIC_ERROR),
    );
  }

  private replyToRpc(packet: IPublishPacket, text: string): void {
    const reply = readRpcReply(text);
    const ack = new GatewayAck(this.host, packet, 1);
    this.child(reply.device).session.then(
      (session) => {
        session.replyToServerRpc(reply.id, reply.data);
        ack.entryAccepted();
      },
      (error: unknown) => this.childRefused(ack, reply.device, error),
    );
  }

  /** The child on this connection, connecting it (explicitly, or implicitly with the default type) when new. */
  private child(name: string, type?: string): Child {
    let child = this.children.get(name);
    if (child === undefined) {
      child = new Child(this, name, type, this.host);
      const connecting = child;
      this.children.set(name, connecting);
      // A failed connect is forgotten, so the gateway's next message for the name tries again.
      connecting.session.catch(() => this.forget(connecting));
    }
    return child;
  }

  /** Drops a child unless the name has been connected again since. */
  forget(child: Child): void {
    if (this.children.get(child.name) === child) this.children.delete(child.name);
  }

  // ---- failures (device-api.md §4.3 "Errors", §1.14) ----

  /** A message that cannot be processed at all. */
  private rejectMessage(packet: IPublishPacket, error: unknown): void {
    this.host.problems.debug('gateway-message-refused', 'MQTT transport: gateway message refused', {
      gateway: this.host.gateway.device.deviceName,
      topic: packet.topic,
      error: errorMessage(error),
    });
    if (error instanceof InvalidGatewayJson) {
      if (this.host.link.v5 && packet.qos > 0) this.host.reserveAck(packet.messageId ?? 0).complete(ReasonCode.PAYLOAD_FORMAT_INVALID);
      else this.host.link.terminate(ReasonCode.PAYLOAD_FORMAT_INVALID);
      return;
    }
    // Not an object, a required field missing or ill-typed, no usable entry: the reference acks, then closes.
    if (packet.qos > 0) this.host.reserveAck(packet.messageId ?? 0).complete(ReasonCode.IMPLEMENTATION_SPECIFIC_ERROR);
    this.host.link.terminate(ReasonCode.IMPLEMENTATION_SPECIFIC_ERROR);
  }

  private childRefused(ack: GatewayAck, device: string, error: unknown, reasonCode?: number): void {
    this.host.problems.warn('gateway-child-refused', 'MQTT transport: a gateway child device could not be connected', {
      gateway: this.host.gateway.device.deviceName,
      device,
      error: errorMessage(error),
    });
    ack.childRefused(reasonCode);
  }

  private entryInvalid(ack: GatewayAck, device: string, error: unknown): void {
    this.host.problems.debug('gateway-entry-invalid', 'MQTT transport: a gateway message entry was refused', {
      gateway: this.host.gateway.device.deviceName,
      device,
      error: errorMessage(error),
    });
    ack.entryInvalid();
  }

  private failedInternally(ack: GatewayAck, device: string, error: unknown): void {
    this.logCoreFailure(device, error);
    ack.failedInternally();
  }

  /** A failure after the PUBACK left (attribute request answer): the connection ends, as for a direct device. */
  private failAfterAck(device: string, error: unknown): void {
    this.logCoreFailure(device, error);
    this.host.link.terminate(ReasonCode.IMPLEMENTATION_SPECIFIC_ERROR);
  }

  private logCoreFailure(device: string, error: unknown): void {
    this.host.problems.error(
      'gateway-core-failure',
      'MQTT transport: the core failed to take a gateway child message; closing the connection',
      {
        gateway: this.host.gateway.device.deviceName,
        device,
        error: errorMessage(error),
      },
    );
  }

  // ---- downlinks ----

  /**
   * Publishes to the gateway with the QoS granted to that exact subscription, or QoS 1 when the gateway did not
   * subscribe (device-api.md §4.1). Nothing is sent once the connection is closed.
   */
  publish(topic: string, payload: string): void {
    const { link, downlinks } = this.host;
    if (link.closed) return;
    const qos = this.qosFor(topic);
    link.write(link.encodePublish(topic, payload, qos, qos > 0 ? downlinks.nextPacketId() : undefined));
  }

  /**
   * Like `publish`, resolving on the gateway's PUBACK (QoS 0: once written) and rejecting when none comes in time.
   * Server RPC to a child is DELIVERED on that PUBACK (a deliberate difference, see device-api.md §4.3).
   */
  publishAwaitingAck(topic: string, payload: string): Promise<void> {
    const { link, downlinks } = this.host;
    if (link.closed) return Promise.reject(new Error('the gateway connection is closed'));
    if (this.qosFor(topic) === 0) {
      link.write(link.encodePublish(topic, payload, 0));
      return Promise.resolve();
    }
    const packetId = downlinks.nextPacketId();
    const delivered = downlinks.awaitAck(packetId);
    link.write(link.encodePublish(topic, payload, 1, packetId));
    return delivered;
  }

  private qosFor(topic: string): number {
    return this.host.grantedQos(topic) ?? 1;
  }
}
