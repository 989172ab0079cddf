import type { QueuedMsg } from '../queued-msg';

export interface ConsumeOptions {
  /** Packs handed out before the oldest has completed: more packs overlap their commits; 1 keeps strict order. */
  maxInFlight?: () => number;
}

/**
 * Where rule messages wait between the transports and the chains. `submit` resolving is the durability
 * point (design.md): only then may a transport acknowledge the device.
 */
export interface RuleQueue {
  /** Resolves once the message is durably kept on `queueName`. */
  submit(queueName: string, item: QueuedMsg): Promise<void>;
  /**
   * Delivers `queueName`'s messages in packs, oldest first (also those kept from before a restart), up to
   * `maxInFlight()` packs at a time (default 1). A pack is removed from the queue when `handler` resolves.
   */
  consume(queueName: string, handler: (pack: QueuedMsg[]) => Promise<void>, options?: ConsumeOptions): void;
  /** Messages waiting on the queue (not yet handed to the chains). */
  lag(queueName: string): Promise<number>;
  /** Stops delivering; resolves when the pack being processed is done and the queue is closed. */
  close(): Promise<void>;
}
