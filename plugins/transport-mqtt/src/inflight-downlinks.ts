/** A QoS 1 downlink whose delivery someone waits for (server RPC: DELIVERED on the device's PUBACK). */
interface AwaitedDelivery {
  resolve(): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

export class DeliveryTimeoutError extends Error {
  override readonly name = 'DeliveryTimeoutError';
}

const MAX_PACKET_ID = 0xffff;

/** Packet ids for server → device publishes, and the deliveries that wait for the device's PUBACK. */
export class InflightDownlinks {
  private lastPacketId = 0;
  private readonly awaited = new Map<number, AwaitedDelivery>();

  constructor(private readonly ackTimeoutMs: number) {}

  /** The next packet id not held by an awaited delivery. */
  nextPacketId(): number {
    do {
      this.lastPacketId = this.lastPacketId === MAX_PACKET_ID ? 1 : this.lastPacketId + 1;
    } while (this.awaited.has(this.lastPacketId));
    return this.lastPacketId;
  }

  /** Resolves on the PUBACK of `packetId`, rejects when none arrives in time. */
  awaitAck(packetId: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.awaited.delete(packetId);
        reject(new DeliveryTimeoutError(`no PUBACK for packet ${packetId} within ${this.ackTimeoutMs} ms`));
      }, this.ackTimeoutMs);
      timer.unref();
      this.awaited.set(packetId, { resolve, reject, timer });
    });
  }

  /** The device acknowledged `packetId`; unknown ids (e.g. attribute updates nobody waits for) are ignored. */
  acknowledged(packetId: number): void {
    const delivery = this.awaited.get(packetId);
    if (delivery === undefined) return;
    this.awaited.delete(packetId);
    clearTimeout(delivery.timer);
    delivery.resolve();
  }

  /** The connection is gone: nothing still waiting will be acknowledged. */
  abandonAll(): void {
    for (const delivery of this.awaited.values()) {
      clearTimeout(delivery.timer);
      delivery.reject(new Error('connection closed before the device acknowledged'));
    }
    this.awaited.clear();
  }
}
