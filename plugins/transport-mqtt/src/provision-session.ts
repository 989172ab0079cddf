import type { ProvisionResponse } from '@edgewise/plugin-api';
import { errorMessage } from '@edgewise/plugin-api';
import type { IPublishPacket, ISubscribePacket, IUnsubscribePacket } from 'mqtt-packet';
import type { ConnectionEnvironment } from './connection';
import { parseObject } from './device-payloads';
import type { MqttLink, SessionHandler } from './link';
import { ReasonCode } from './reason-codes';
import { answerSubscribe, answerUnsubscribe } from './subscribe-answers';
import { PROVISION_REQUEST_TOPIC, PROVISION_RESPONSE_TOPIC } from './topics';
import { encodePuback } from './wire';

/** The core's PayloadError, recognised by name so that a plugin-api copy of another version still counts. */
const isPayloadError = (error: unknown): boolean => error instanceof Error && error.name === 'PayloadError';

const MAX_PACKET_ID = 0xffff;

/**
 * A provision-only session (username or clientId `provision`, device-api.md §1.11.1): `/provision/request`
 * is answered on `/provision/response` — PUBACK first, then the response, published even without a
 * subscription (QoS 1 then) — and the connection is closed a while after the response. Any other publish
 * gets PUBACK (MQTT 5: 0x90) and the connection is closed (MQTT 5: DISCONNECT 0x90).
 */
export class ProvisionSession implements SessionHandler {
  /** Granted QoS of the `/provision/response` subscription; undefined while there is none. */
  private responseQos: number | undefined;
  /** Requests are answered in the order they came, each once the core has answered it. */
  private answered: Promise<void> = Promise.resolve();
  private lastPacketId = 0;
  private closeTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly link: MqttLink,
    private readonly environment: ConnectionEnvironment,
  ) {}

  onPublish(packet: IPublishPacket): void {
    if (packet.topic !== PROVISION_REQUEST_TOPIC) {
      if (packet.qos > 0) this.link.write(encodePuback(packet.messageId ?? 0, ReasonCode.TOPIC_NAME_INVALID, this.link.v5));
      return this.link.terminate(ReasonCode.TOPIC_NAME_INVALID);
    }
    const payload = packet.payload.toString();
    // §1.11.2: not a JSON object → the reference tries Protobuf, which we do not serve: the invalid-payload rule (§1.14).
    const answer: Promise<() => void> =
      parseObject(payload) === undefined
        ? Promise.resolve(() => this.rejectPayload(packet))
        : Promise.resolve()
            .then(() => this.environment.context.provision(payload))
            .then(
              (response) => () => this.respond(packet, response),
              (error: unknown) => () => this.fail(packet, error),
            );
    this.answered = this.answered
      .then(() => answer)
      .then((reply) => {
        if (!this.link.closed) reply();
      })
      .catch((error: unknown) => this.fail(packet, error));
  }

  /** PUBACK and the response in one write, then the close after the configured delay (no DISCONNECT). */
  private respond(packet: IPublishPacket, response: ProvisionResponse): void {
    const qos = this.responseQos ?? 1;
    const publish = this.link.encodePublish(PROVISION_RESPONSE_TOPIC, response.json, qos, qos > 0 ? this.nextPacketId() : undefined);
    this.link.write(
      packet.qos > 0 ? Buffer.concat([encodePuback(packet.messageId ?? 0, ReasonCode.SUCCESS, this.link.v5), publish]) : publish,
    );
    this.closeTimer ??= setTimeout(() => this.link.terminate(), this.environment.options.provisionSessionCloseMs).unref();
  }

  /** A malformed request (or a core failure) is an unhandled error in the reference: PUBACK 0x83, then close with 0x83. */
  private fail(packet: IPublishPacket, error: unknown): void {
    if (isPayloadError(error)) {
      this.environment.problems.debug('provision-malformed', 'MQTT transport: malformed provision request, closing the connection', {
        error: errorMessage(error),
      });
    } else {
      this.environment.problems.error('provision-failure', 'MQTT transport: the core failed to answer a provision request', {
        error: errorMessage(error),
      });
    }
    if (packet.qos > 0) this.link.write(encodePuback(packet.messageId ?? 0, ReasonCode.IMPLEMENTATION_SPECIFIC_ERROR, this.link.v5));
    this.link.terminate(ReasonCode.IMPLEMENTATION_SPECIFIC_ERROR);
  }

  /** MQTT 5 with a packet id: PUBACK 0x99 and the connection stays; otherwise the connection is closed. */
  private rejectPayload(packet: IPublishPacket): void {
    if (this.link.v5 && packet.qos > 0) this.link.write(encodePuback(packet.messageId ?? 0, ReasonCode.PAYLOAD_FORMAT_INVALID, true));
    else this.link.terminate(ReasonCode.PAYLOAD_FORMAT_INVALID);
  }

  private nextPacketId(): number {
    this.lastPacketId = (this.lastPacketId % MAX_PACKET_ID) + 1;
    return this.lastPacketId;
  }

  onSubscribe(packet: ISubscribePacket): void {
    answerSubscribe(this.link, packet, (filter, qos) => {
      if (filter !== PROVISION_RESPONSE_TOPIC) return false;
      this.responseQos = qos;
      return true;
    });
  }

  onUnsubscribe(packet: IUnsubscribePacket): void {
    answerUnsubscribe(this.link, packet, (filter) => {
      const existed = this.responseQos !== undefined && filter === PROVISION_RESPONSE_TOPIC;
      if (existed) this.responseQos = undefined;
      return existed;
    });
  }

  onPuback(): void {}

  onPing(): void {}

  flushAcks(): void {}

  dispose(): void {
    clearTimeout(this.closeTimer);
  }
}
