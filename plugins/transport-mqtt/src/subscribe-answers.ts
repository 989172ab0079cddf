import type { ISubscribePacket, IUnsubscribePacket } from 'mqtt-packet';
import type { MqttLink } from './link';
import { ReasonCode, SUBACK_FAILURE_V3 } from './reason-codes';

/** Highest QoS the device API grants (§1.1). */
const MAX_GRANTED_QOS = 1;

/** Answers a SUBSCRIBE: `grant` records an accepted filter and returns false for a refused one. */
export function answerSubscribe(link: MqttLink, packet: ISubscribePacket, grant: (filter: string, qos: number) => boolean): void {
  const failure = link.v5 ? ReasonCode.TOPIC_FILTER_INVALID : SUBACK_FAILURE_V3;
  const granted = packet.subscriptions.map(({ topic, qos }) => {
    const grantedQos = Math.min(qos, MAX_GRANTED_QOS);
    return grant(topic, grantedQos) ? grantedQos : failure;
  });
  link.send({ cmd: 'suback', messageId: packet.messageId, granted });
}

/** Answers an UNSUBSCRIBE: `remove` returns whether the filter was subscribed (MQTT 5 reports 0x11 otherwise). */
export function answerUnsubscribe(link: MqttLink, packet: IUnsubscribePacket, remove: (filter: string) => boolean): void {
  const granted = packet.unsubscriptions.map((filter) => (remove(filter) ? ReasonCode.SUCCESS : ReasonCode.NO_SUBSCRIPTION_EXISTED));
  link.send({ cmd: 'unsuback', messageId: packet.messageId, granted });
}
