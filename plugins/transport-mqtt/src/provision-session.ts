import type { IPublishPacket, ISubscribePacket, IUnsubscribePacket } from 'mqtt-packet';
import type { MqttLink, SessionHandler } from './link';
import { ReasonCode } from './reason-codes';
import { answerSubscribe, answerUnsubscribe } from './subscribe-answers';
import { PROVISION_RESPONSE_TOPIC } from './topics';
import { encodePuback } from './wire';

/**
 * A provision-only session (username or clientId `provision`, §1.11.1). The core has no provisioning
 * service on the seam yet, so every publish — `/provision/request` included — gets the provision
 * session's answer to a topic it does not serve: PUBACK (MQTT 5: 0x90), then close (MQTT 5: DISCONNECT 0x90).
 */
export class ProvisionSession implements SessionHandler {
  private subscribed = false;

  constructor(private readonly link: MqttLink) {}

  onPublish(packet: IPublishPacket): void {
    if (packet.qos > 0) this.link.write(encodePuback(packet.messageId ?? 0, ReasonCode.TOPIC_NAME_INVALID, this.link.v5));
    this.link.terminate(ReasonCode.TOPIC_NAME_INVALID);
  }

  onSubscribe(packet: ISubscribePacket): void {
    answerSubscribe(this.link, packet, (filter) => {
      if (filter !== PROVISION_RESPONSE_TOPIC) return false;
      this.subscribed = true;
      return true;
    });
  }

  onUnsubscribe(packet: IUnsubscribePacket): void {
    answerUnsubscribe(this.link, packet, (filter) => {
      const existed = this.subscribed && filter === PROVISION_RESPONSE_TOPIC;
      if (existed) this.subscribed = false;
      return existed;
    });
  }

  onPuback(): void {}

  onPing(): void {}

  flushAcks(): void {}

  dispose(): void {}
}
