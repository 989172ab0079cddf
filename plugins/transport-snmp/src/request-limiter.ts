/**
 * At most `limit` SNMP exchanges in flight across all devices; the others wait in order of arrival. Thousands of
 * devices due at the same moment then cost a bounded number of timers, buffers and pending answers, and the
 * network and the agents see a steady stream rather than a burst.
 */
export class RequestLimiter {
  private running = 0;
  private readonly waiting: ((() => void) | undefined)[] = [];
  /** Index of the next waiting task: the queue is read from the front without shifting the array. */
  private head = 0;

  constructor(private readonly limit: number) {}

  get inFlight(): number {
    return this.running;
  }

  get queued(): number {
    return this.waiting.length - this.head;
  }

  /** Runs `exchange` once a slot is free; the slot is held until the returned promise settles. */
  async run<T>(exchange: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) await new Promise<void>((admit) => this.waiting.push(admit));
    else this.running++;
    try {
      return await exchange();
    } finally {
      this.release();
    }
  }

  /** A freed slot goes straight to the next waiting task (the count stays), or is given back. */
  private release(): void {
    const next = this.waiting[this.head];
    if (!next) {
      this.running--;
      return;
    }
    this.waiting[this.head++] = undefined;
    if (this.head === this.waiting.length || this.head >= 4096) {
      this.waiting.splice(0, this.head);
      this.head = 0;
    }
    next();
  }
}
