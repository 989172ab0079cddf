import { pubackSize, writePuback } from './wire';

/** Where the acks go, and who decides what a failed commit means for the connection. */
export interface AckSink {
  readonly v5: boolean;
  write(bytes: Buffer): void;
  onCommitFailed(ack: PendingAck, error: unknown): void;
}

/**
 * One QoS 1 publish waiting for its PUBACK. Slots are pooled by OrderedAcks and their callbacks are bound
 * once, so acknowledging a publish allocates nothing beyond the core's promise.
 */
export class PendingAck {
  messageId = 0;
  reasonCode = 0;
  done = false;
  /** Sent right after this PUBACK, e.g. the transport's own answer to `getSessionLimits` (§1.9: PUBACK first). */
  followUp: Buffer | undefined = undefined;

  constructor(private readonly queue: OrderedAcks) {}

  /** The publish is handled; its PUBACK leaves once every earlier one has. */
  complete(reasonCode: number, followUp?: Buffer): void {
    if (this.done) return;
    this.reasonCode = reasonCode;
    this.followUp = followUp;
    this.done = true;
    this.queue.scheduleFlush();
  }

  readonly onCommitted = (): void => this.complete(0);
  readonly onFailed = (error: unknown): void => this.queue.sink.onCommitFailed(this, error);
}

/**
 * PUBACKs in the order the publishes arrived, whatever order the core commits them in. Many publishes may
 * be in flight; the acks that became ready during one turn of the event loop leave in one socket write.
 */
export class OrderedAcks {
  private slots: PendingAck[] = [];
  /** Ring buffer over `slots`: `head` is the oldest publish still unacknowledged, `size` how many are waiting. */
  private head = 0;
  private size = 0;
  private flushScheduled = false;
  private readonly flushNow = (): void => this.flush();

  constructor(readonly sink: AckSink) {}

  /** Takes a place in the ack order for a QoS 1 publish. */
  reserve(messageId: number): PendingAck {
    if (this.size === this.slots.length) this.grow();
    const index = (this.head + this.size) & (this.slots.length - 1);
    const ack = this.slots[index];
    ack.messageId = messageId;
    ack.done = false;
    ack.followUp = undefined;
    this.size++;
    return ack;
  }

  scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    process.nextTick(this.flushNow);
  }

  /** Writes every ready PUBACK at the head of the order, in one write. */
  flush(): void {
    this.flushScheduled = false;
    const mask = this.slots.length - 1;
    let ready = 0;
    let bytes = 0;
    for (; ready < this.size; ready++) {
      const ack = this.slots[(this.head + ready) & mask];
      if (!ack.done) break;
      bytes += pubackSize(ack.reasonCode, this.sink.v5) + (ack.followUp?.length ?? 0);
    }
    if (ready === 0) return;
    const out = Buffer.allocUnsafe(bytes);
    let offset = 0;
    for (let i = 0; i < ready; i++) {
      const ack = this.slots[(this.head + i) & mask];
      offset = writePuback(out, offset, ack.messageId, ack.reasonCode, this.sink.v5);
      if (ack.followUp !== undefined) {
        offset += ack.followUp.copy(out, offset);
        ack.followUp = undefined;
      }
    }
    this.head = (this.head + ready) & mask;
    this.size -= ready;
    this.sink.write(out);
  }

  /** Doubles the ring (capacity stays a power of two so indices wrap with a mask), keeping the order. */
  private grow(): void {
    const capacity = Math.max(16, this.slots.length * 2);
    const grown: PendingAck[] = new Array<PendingAck>(capacity);
    for (let i = 0; i < this.size; i++) grown[i] = this.slots[(this.head + i) & (this.slots.length - 1)];
    for (let i = this.size; i < capacity; i++) grown[i] = new PendingAck(this);
    this.slots = grown;
    this.head = 0;
  }
}
