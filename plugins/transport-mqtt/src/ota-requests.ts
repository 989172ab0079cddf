import type { DeviceSession, OtaPackageType } from '@edgewise/plugin-api';
import { errorMessage, type ThrottledLog } from '@edgewise/plugin-api';
import type { IPublishPacket } from 'mqtt-packet';
import type { InflightDownlinks } from './inflight-downlinks';
import type { MqttLink } from './link';
import type { PendingAck } from './ordered-acks';
import { ReasonCode } from './reason-codes';
import { OTA_TOPICS, otaResponseTopic } from './topics';

/** What OTA requests borrow from the device's MQTT session (one connection, one ack order, one packet-id space). */
export interface OtaHost {
  readonly link: MqttLink;
  readonly session: DeviceSession;
  readonly downlinks: InflightDownlinks;
  readonly problems: ThrottledLog;
  /** `transport.mqtt.netty.max_payload_size`: larger chunk sizes are refused with PAYLOAD_TOO_LARGE. */
  readonly maxPayloadBytes: number;
  reserveAck(messageId: number): PendingAck;
  grantedQos(filter: string): number | undefined;
}

type OtaError = 'NOT_FOUND' | 'FAILURE' | 'PAYLOAD_TOO_LARGE';

// Unanchored, as the reference searches the topic with `find()` (device-api.md §1.12.3).
const REQUEST_PATTERNS: readonly [OtaPackageType, RegExp][] = [
  ['FIRMWARE', /v2\/fw\/request\/(\d+)\/chunk\/(\d+)/],
  ['SOFTWARE', /v2\/sw\/request\/(\d+)\/chunk\/(\d+)/],
];

const INT32_MAX = 2147483647;

/** Java's `Integer.parseInt`: optional sign, decimal digits, within int32; undefined for anything else. */
function parseJavaInt(text: string): number | undefined {
  if (!/^[-+]?\d+$/.test(text)) return undefined;
  const value = Number(text);
  return value >= -INT32_MAX - 1 && value <= INT32_MAX ? value : undefined;
}

interface OtaRequest {
  type: OtaPackageType;
  /** As the device wrote it: `007` and `7` are different requests, and the reply topic repeats it. */
  requestId: string;
  chunk: number | undefined;
}

/** The OTA chunk request a topic names, or undefined when it names none. */
function otaRequestOf(topic: string): OtaRequest | undefined {
  for (const [type, pattern] of REQUEST_PATTERNS) {
    const match = pattern.exec(topic);
    if (match) return { type, requestId: match[1], chunk: parseJavaInt(match[2]) };
  }
  return undefined;
}

/**
 * Firmware and software chunk downloads over MQTT (device-api.md §1.12.3): `v2/fw/request/{requestId}/chunk/{n}`
 * with the chunk size as payload, answered on `v2/fw/response/{requestId}/chunk/{n}` (software: `sw`). Per
 * request id the session remembers the chunk size and the package first found for it. Errors go to
 * `v2/fw/error` for both types, and end the connection. Requests are answered one at a time, in order.
 */
export class OtaRequests {
  private readonly chunkSizes = new Map<string, number>();
  private readonly packageIds = new Map<string, string>();
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly host: OtaHost) {}

  /** Takes the publish when its topic is an OTA chunk request; false leaves it to the caller. */
  handles(packet: IPublishPacket): boolean {
    const request = otaRequestOf(packet.topic);
    if (request === undefined) return false;
    const payload = packet.payload.toString();
    const askedSize = payload === '' ? 0 : parseJavaInt(payload);
    if (askedSize === undefined || request.chunk === undefined) {
      // An unhandled parse error in the reference: no PUBACK, connection dropped (MQTT 5: 0x8B).
      this.host.link.terminate(ReasonCode.SERVER_SHUTTING_DOWN);
      return true;
    }
    // Remembered per type too: the reference shares one map between firmware and software, serving one for the other.
    const key = `${request.type}/${request.requestId}`;
    let chunkSize = askedSize;
    if (chunkSize > 0) this.chunkSizes.set(key, chunkSize);
    else chunkSize = this.chunkSizes.get(key) ?? 0;
    const chunk = request.chunk;
    // Checked before the lookup, and so before any PUBACK (exactly the maximum is allowed).
    if (chunkSize > this.host.maxPayloadBytes) {
      this.sendError('PAYLOAD_TOO_LARGE');
      return true;
    }
    const ack = packet.qos > 0 ? this.host.reserveAck(packet.messageId ?? 0) : undefined;
    this.queue = this.queue.then(() => this.answer(request, key, chunkSize, chunk, ack));
    return true;
  }

  private async answer(request: OtaRequest, key: string, chunkSize: number, chunk: number, ack: PendingAck | undefined): Promise<void> {
    const { link, session } = this.host;
    if (link.closed) return;
    let bytes: Uint8Array;
    try {
      let packageId = this.packageIds.get(key);
      if (packageId === undefined) {
        const lookup = await session.findOtaPackage(request.type);
        if (!lookup.ok) return this.sendError(lookup.error);
        packageId = lookup.package.packageId;
        this.packageIds.set(key, packageId);
      }
      bytes = await session.readOtaChunk(packageId, chunkSize, chunk);
    } catch (error) {
      this.host.problems.error('ota-failure', 'MQTT transport: the core failed to serve an OTA chunk; closing the connection', {
        deviceId: session.device.deviceId,
        error: errorMessage(error),
      });
      link.terminate(ReasonCode.IMPLEMENTATION_SPECIFIC_ERROR);
      return;
    }
    if (link.closed) return;
    const qos = this.host.grantedQos(request.type === 'FIRMWARE' ? OTA_TOPICS.firmwareResponses : OTA_TOPICS.softwareResponses) ?? 1;
    const topic = otaResponseTopic(request.type, request.requestId, chunk);
    const payload = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const publish = link.encodePublish(topic, payload, qos, qos > 0 ? this.host.downlinks.nextPacketId() : undefined);
    // §1.12.3: the PUBACK first, then the bytes.
    if (ack) ack.complete(ReasonCode.SUCCESS, publish);
    else link.write(publish);
  }

  /** One publish of the error text on `v2/fw/error` (software too), then the connection ends (MQTT 5: 0x83). */
  private sendError(error: OtaError): void {
    const { link } = this.host;
    if (link.closed) return;
    const qos = this.host.grantedQos(OTA_TOPICS.error) ?? 1;
    link.write(link.encodePublish(OTA_TOPICS.error, error, qos, qos > 0 ? this.host.downlinks.nextPacketId() : undefined));
    link.terminate(ReasonCode.IMPLEMENTATION_SPECIFIC_ERROR);
  }
}
