import type { IPublishPacket, ISubscribePacket, IUnsubscribePacket, Packet } from 'mqtt-packet';

/** What a session handler may do with its connection. */
export interface MqttLink {
  readonly v5: boolean;
  readonly closed: boolean;
  /** Writes encoded bytes (batched PUBACKs). */
  write(bytes: Buffer): void;
  send(packet: Packet): void;
  /** A PUBLISH to the device, encoded; QoS 1 needs a packet id from the caller. */
  encodePublish(topic: string, payload: string | Buffer, qos: number, packetId?: number): Buffer;
  /** Ends the connection; on MQTT 5 a DISCONNECT with `reasonCode` goes first when one is given. */
  terminate(reasonCode?: number): void;
}

/** The connection's behaviour after CONNACK: a device session or a provision-only session. */
export interface SessionHandler {
  onPublish(packet: IPublishPacket): void;
  onSubscribe(packet: ISubscribePacket): void;
  onUnsubscribe(packet: IUnsubscribePacket): void;
  onPuback(packetId: number): void;
  onPing(): void;
  /** Sends what the session already owes the device (ready PUBACKs), before the connection ends. */
  flushAcks(): void;
  /** The connection is gone; release what the session holds. */
  dispose(): void;
}
