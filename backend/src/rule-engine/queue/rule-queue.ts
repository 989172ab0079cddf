import type { QueuedMsg } from '../queued-msg';

/**
 * Where rule messages wait between the transports and the chains. `submit` resolving is the durability
 * point (design.md): only then may a transport acknowledge the device.
 */
export interface RuleQueue {
  /** Resolves once the message is durably kept on `queueName`. */
  submit(queueName: string, item: QueuedMsg): Promise<void>;
  /**
   * Delivers `queueName`'s messages in packs, one pack at a time, oldest first (also those kept from before
   * a restart). A pack is removed from the queue when `handler` resolves.
   */
  consume(queueName: string, handler: (pack: QueuedMsg[]) => Promise<void>): void;
  /** Messages waiting on the queue (not yet handed to the chains). */
  lag(queueName: string): Promise<number>;
  /** Stops delivering; resolves when the pack being processed is done and the queue is closed. */
  close(): Promise<void>;
}
