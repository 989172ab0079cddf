import type {
  AttributesRequest,
  DeviceIdentity,
  DeviceSession,
  ServerRpcRequest,
  SessionCloseReason,
  SessionListener,
  TransportContext,
} from '@edgewise/plugin-api';
import { errorMessage, type ThrottledLog } from '@edgewise/plugin-api';
import type { IPublishPacket, ISubscribePacket, IUnsubscribePacket } from 'mqtt-packet';
import { parseAttributesRequest, parseClientRpc } from './device-payloads';
import { GatewayMqttSession } from './gateway-session';
import { InflightDownlinks } from './inflight-downlinks';
import type { MqttLink, SessionHandler } from './link';
import { OrderedAcks, type AckSink, type PendingAck } from './ordered-acks';
import { OtaRequests } from './ota-requests';
import { ProfileTopics } from './profile-topics';
import { ReasonCode } from './reason-codes';
import { answerSubscribe, answerUnsubscribe } from './subscribe-answers';
import { SessionSubscriptions } from './subscriptions';
import {
  DOWNLINK_TOPICS,
  requestIdOf,
  routeSubscription,
  routeUplink,
  type DownlinkKind,
  type TopicFamily,
  type UplinkRoute,
} from './topics';

/** What the transport reports to `getSessionLimits` (§1.9). */
export interface SessionLimits {
  maxPayloadBytes: number;
  maxInflightMessages: number;
}

/** Rate limits live in tenant profiles, which the seam does not expose: reported as "not configured" (JSON null). */
const UNCONFIGURED_RATE_LIMITS = { messages: null, telemetryMessages: null, telemetryDataPoints: null };

const CLOSE_REASON_CODES: Record<SessionCloseReason, number> = {
  DEVICE_DELETED: ReasonCode.ADMINISTRATIVE_ACTION,
  CREDENTIALS_UPDATED: ReasonCode.ADMINISTRATIVE_ACTION,
  SESSION_TIMEOUT: ReasonCode.MAXIMUM_CONNECT_TIME,
  SHUTDOWN: ReasonCode.SERVER_SHUTTING_DOWN,
};

/** The core's PayloadError, recognised by name so that a plugin-api copy of another version still counts. */
function isPayloadError(error: unknown): boolean {
  return error instanceof Error && error.name === 'PayloadError';
}

/** An authenticated device's MQTT session: uplinks to the core, downlinks from it (device-api.md §1.3–1.9, §1.14). */
export class DeviceMqttSession implements SessionHandler, SessionListener, AckSink {
  readonly v5: boolean;
  private readonly session: DeviceSession;
  private readonly acks = new OrderedAcks(this);
  private readonly subscriptions = new SessionSubscriptions();
  private readonly downlinks: InflightDownlinks;
  private readonly profileTopics: ProfileTopics | undefined;
  /** The gateway API, for a device flagged as a gateway (device-api.md §4). */
  private readonly gateway: GatewayMqttSession | undefined;
  /** Firmware and software chunk downloads (device-api.md §1.12.3). */
  private readonly ota: OtaRequests;

  constructor(
    private readonly link: MqttLink,
    context: TransportContext,
    device: DeviceIdentity,
    private readonly limits: SessionLimits,
    serverRpcAckTimeoutMs: number,
    private readonly problems: ThrottledLog,
  ) {
    this.v5 = link.v5;
    this.downlinks = new InflightDownlinks(serverRpcAckTimeoutMs);
    this.session = context.openSession(device, this);
    this.profileTopics = ProfileTopics.of(device.transportConfiguration);
    this.ota = new OtaRequests({
      link,
      session: this.session,
      downlinks: this.downlinks,
      problems,
      maxPayloadBytes: limits.maxPayloadBytes,
      reserveAck: (messageId) => this.acks.reserve(messageId),
      grantedQos: (filter) => this.subscriptions.grantedQos(filter),
    });
    if (device.isGateway)
      this.gateway = new GatewayMqttSession({
        link,
        context,
        gateway: this.session,
        downlinks: this.downlinks,
        problems,
        reserveAck: (messageId) => this.acks.reserve(messageId),
        grantedQos: (filter) => this.subscriptions.grantedQos(filter),
      });
  }

  get device(): DeviceIdentity {
    return this.session.device;
  }

  // ---- uplinks ----

  onPublish(packet: IPublishPacket): void {
    const route = this.profileTopics ? this.profileTopics.route(packet.topic, routeUplink) : routeUplink(packet.topic);
    if (route === undefined) {
      if (!this.ota.handles(packet)) this.answerUnknownTopic(packet);
      return;
    }
    switch (route.kind) {
      case 'telemetry':
        return this.submit(packet, this.postTelemetry);
      case 'attributes':
        return this.submit(packet, this.postAttributes);
      case 'claim':
        // §1.10: the PUBACK says the request is kept; a registration the core refuses is not reported to the device.
        return this.submit(packet, this.claim);
      case 'attributeRequest':
        return this.requestAttributes(packet, route);
      case 'serverRpcReply':
        return this.replyToServerRpc(packet, route);
      case 'clientRpcRequest':
        return this.callServer(packet, route);
      case 'gateway':
        // §1.14: a non-gateway's gateway publish is dropped without PUBACK.
        this.gateway?.onPublish(packet);
        return;
    }
  }

  // Bound once, so that handing a publish to the core allocates no closure.
  private readonly postTelemetry = (payload: string) => this.session.postTelemetry(payload);
  private readonly postAttributes = (payload: string) => this.session.postAttributes(payload);
  private readonly claim = (payload: string) => this.session.claim(payload);

  /** Telemetry, client attributes and claim requests: the PUBACK leaves only once the core has kept the message. */
  private submit(packet: IPublishPacket, keep: (payload: string) => Promise<void>): void {
    let commit: Promise<void>;
    try {
      commit = keep(packet.payload.toString());
    } catch (error) {
      commit = Promise.reject(error);
    }
    if (packet.qos === 0) {
      commit.then(undefined, this.onFailedWithoutAck);
      return;
    }
    const ack = this.acks.reserve(packet.messageId ?? 0);
    commit.then(ack.onCommitted, ack.onFailed);
  }

  onCommitFailed(ack: PendingAck, error: unknown): void {
    if (this.link.closed) return;
    if (!isPayloadError(error)) return this.failInternally(error);
    if (this.v5) ack.complete(ReasonCode.PAYLOAD_FORMAT_INVALID);
    else if (this.profileTopics?.sendAckOnValidationException) ack.complete(ReasonCode.SUCCESS);
    else this.link.terminate();
  }

  /** A failure with no PUBACK left to carry it (QoS 0, or a request already acknowledged): the connection ends (§1.14). */
  private readonly onFailedWithoutAck = (error: unknown): void => {
    if (this.link.closed) return;
    if (isPayloadError(error)) this.link.terminate(ReasonCode.PAYLOAD_FORMAT_INVALID);
    else this.failInternally(error);
  };

  /** §1.14 invalid payload decided by the transport itself (attribute request, RPC framing). */
  private rejectPayload(packet: IPublishPacket): void {
    if (this.v5 && packet.qos > 0) this.acks.reserve(packet.messageId ?? 0).complete(ReasonCode.PAYLOAD_FORMAT_INVALID);
    else this.link.terminate(ReasonCode.PAYLOAD_FORMAT_INVALID);
  }

  /** §1.14 internal processing error of an accepted message. */
  private failInternally(error: unknown): void {
    this.problems.error('core-failure', 'MQTT transport: the core failed to take a device message; closing the connection', {
      deviceId: this.device.deviceId,
      error: errorMessage(error),
    });
    this.link.terminate(ReasonCode.IMPLEMENTATION_SPECIFIC_ERROR);
  }

  private acknowledge(packet: IPublishPacket, reasonCode: number = ReasonCode.SUCCESS, followUp?: Buffer): void {
    if (packet.qos > 0) this.acks.reserve(packet.messageId ?? 0).complete(reasonCode, followUp);
  }

  private answerUnknownTopic(packet: IPublishPacket): void {
    this.acknowledge(packet, ReasonCode.TOPIC_NAME_INVALID);
  }

  private requestAttributes(packet: IPublishPacket, route: UplinkRoute): void {
    const requestId = requestIdOf(packet.topic, route.prefix);
    const request: AttributesRequest | undefined = requestId === undefined ? undefined : parseAttributesRequest(packet.payload.toString());
    if (requestId === undefined || request === undefined) return this.rejectPayload(packet);
    this.acknowledge(packet);
    this.session
      .getAttributes(request)
      .then((response) => this.reply('attributeResponses', route.family, requestId, response), this.onFailedWithoutAck);
  }

  private replyToServerRpc(packet: IPublishPacket, route: UplinkRoute): void {
    const requestId = requestIdOf(packet.topic, route.prefix);
    if (requestId === undefined) return this.rejectPayload(packet);
    this.session.replyToServerRpc(requestId, packet.payload.toString());
    this.acknowledge(packet);
  }

  private callServer(packet: IPublishPacket, route: UplinkRoute): void {
    const requestId = requestIdOf(packet.topic, route.prefix);
    // §1.9: a non-integer request id or a missing method is an unhandled error in the reference: connection dropped.
    if (requestId === undefined) return this.link.terminate(ReasonCode.SERVER_SHUTTING_DOWN);
    const payload = packet.payload.toString();
    const framing = parseClientRpc(payload);
    if (framing.kind === 'invalidPayload') return this.rejectPayload(packet);
    if (framing.kind === 'missingMethod') return this.link.terminate(ReasonCode.SERVER_SHUTTING_DOWN);
    if (framing.method === 'getSessionLimits' && route.family === 'v1') {
      const limits = this.sessionLimitsReply(requestId);
      return packet.qos > 0 ? this.acknowledge(packet, ReasonCode.SUCCESS, limits) : this.link.write(limits);
    }
    this.acknowledge(packet);
    this.session
      .callServer(payload)
      .then((reply) => this.reply('clientRpcResponses', route.family, requestId, reply), this.onFailedWithoutAck);
  }

  private sessionLimitsReply(requestId: number): Buffer {
    const limits: Record<string, unknown> = {
      maxPayloadSize: this.limits.maxPayloadBytes,
      maxInflightMessages: this.limits.maxInflightMessages,
      rateLimits: UNCONFIGURED_RATE_LIMITS,
    };
    if (this.device.isGateway) limits.gatewayRateLimits = UNCONFIGURED_RATE_LIMITS;
    const qos = this.subscriptions.replyQos('clientRpcResponses', 'v1');
    return this.encodePublish(`${DOWNLINK_TOPICS.v1.clientRpcResponses}${requestId}`, JSON.stringify(limits), qos);
  }

  onPuback(packetId: number): void {
    this.downlinks.acknowledged(packetId);
  }

  onPing(): void {
    this.session.reportActivity();
  }

  // ---- subscriptions ----

  onSubscribe(packet: ISubscribePacket): void {
    answerSubscribe(this.link, packet, (filter, qos) => {
      const route = routeSubscription(filter);
      if (route !== undefined) {
        this.subscriptions.add(filter, route, qos);
        return true;
      }
      const profileQos = this.profileTopics?.attributeSubscriptionQos(filter, qos);
      if (profileQos === undefined) return false;
      this.subscriptions.add(filter, { kind: 'attributeUpdates', family: 'v1' }, profileQos);
      return true;
    });
    // After the SUBACK, so that whatever the core pushes at once (pending RPCs) follows it.
    this.syncCoreSubscriptions();
  }

  onUnsubscribe(packet: IUnsubscribePacket): void {
    answerUnsubscribe(this.link, packet, (filter) => this.subscriptions.remove(filter));
    this.syncCoreSubscriptions();
  }

  private syncCoreSubscriptions(): void {
    this.session.setAttributeSubscription(this.subscriptions.latest('attributeUpdates') !== undefined);
    this.session.setRpcSubscription(this.subscriptions.latest('serverRpcRequests') !== undefined);
  }

  // ---- downlinks (SessionListener) ----

  onAttributeUpdate(payload: string): void {
    const subscription = this.subscriptions.latest('attributeUpdates');
    if (subscription === undefined || this.link.closed) return;
    this.link.write(this.encodePublish(DOWNLINK_TOPICS[subscription.family].attributeUpdates, payload, subscription.qos));
  }

  onServerRpc(request: ServerRpcRequest): Promise<void> {
    const subscription = this.subscriptions.latest('serverRpcRequests');
    if (this.link.closed) return Promise.reject(new Error('the device connection is closed'));
    if (subscription === undefined) return Promise.reject(new Error('the device is not subscribed to server RPC requests'));
    const topic = `${DOWNLINK_TOPICS[subscription.family].serverRpcRequests}${request.id}`;
    // §1.8: the id travels in the topic only.
    const payload = JSON.stringify({ method: request.method, params: request.params });
    if (subscription.qos === 0) {
      this.link.write(this.link.encodePublish(topic, payload, 0));
      return Promise.resolve();
    }
    const packetId = this.downlinks.nextPacketId();
    const delivered = this.downlinks.awaitAck(packetId);
    this.link.write(this.link.encodePublish(topic, payload, 1, packetId));
    return delivered;
  }

  onClose(reason: SessionCloseReason): void {
    this.link.terminate(CLOSE_REASON_CODES[reason]);
  }

  /** Answer to a device request, on the family the request came on (§1.3). */
  private reply(kind: DownlinkKind, family: TopicFamily, requestId: number, payload: string): void {
    if (this.link.closed) return;
    this.link.write(this.encodePublish(`${DOWNLINK_TOPICS[family][kind]}${requestId}`, payload, this.subscriptions.replyQos(kind, family)));
  }

  /** A downlink nobody waits to see acknowledged: QoS 1 still needs a packet id. */
  private encodePublish(topic: string, payload: string, qos: number): Buffer {
    return this.link.encodePublish(topic, payload, qos, qos > 0 ? this.downlinks.nextPacketId() : undefined);
  }

  // ---- lifecycle ----

  write(bytes: Buffer): void {
    this.link.write(bytes);
  }

  /** Acks already earned leave before the connection ends. */
  flushAcks(): void {
    this.acks.flush();
  }

  dispose(): void {
    this.downlinks.abandonAll();
    this.gateway?.dispose();
    this.session.close();
  }
}
