import type { QueuedMsg } from './queued-msg';

/**
 * Follows one queued message through every branch it takes. Each running node invocation holds one unit;
 * the message is done when the last unit is released. The first failure that had no `Failure` connection
 * to go to makes the message failed for its queue's processing strategy.
 */
export class MsgTracker {
  private pending = 1;
  done = false;
  /** Acknowledged by a node ("acknowledge" node): done for the queue, while what follows runs on detached. */
  detached = false;
  failure: string | null = null;
  /** Node invocations so far: a message looping between chains is stopped at the engine's limit. */
  executions = 0;

  constructor(
    readonly item: QueuedMsg,
    private readonly onDone: (tracker: MsgTracker) => void,
  ) {}

  hold(): void {
    this.pending++;
  }

  release(): void {
    if (--this.pending === 0 && !this.done) {
      this.done = true;
      this.onDone(this);
    }
  }

  /** The queue may forget the message now; branches still running continue without holding it. */
  acknowledge(): void {
    if (this.done) return;
    this.done = true;
    this.detached = true;
    this.onDone(this);
  }

  fail(reason: string): void {
    this.failure ??= reason;
  }
}
