/** Counters every schedule adds to, read by the transport's statistics. */
export class PollCounters {
  /** Polls started. */
  polls = 0;
  /** Polls that found the agent silent or failed otherwise. */
  failed = 0;
  /** Due polls not started because the previous one of the same schedule was still running. */
  skipped = 0;
  /** Polls whose first request went out more than a tenth of their interval after they were due. */
  late = 0;
  /** The largest delay between due time and first request seen so far, ms. */
  maxDelayMs = 0;

  /** Records how long after `dueAt` a poll's first request went out. */
  started(dueAt: number, frequencyMs: number): void {
    const delay = Date.now() - dueAt;
    if (delay > frequencyMs / 10) this.late++;
    if (delay > this.maxDelayMs) this.maxDelayMs = delay;
  }
}

/**
 * Runs a poll every `frequencyMs`, first after a random part of the interval so that devices configured together
 * do not all fire in the same millisecond. A poll still running when the next is due is not started again: that
 * tick is counted as skipped.
 */
export class PollSchedule {
  private timer?: NodeJS.Timeout;
  private running = false;
  private dueAt = 0;

  constructor(
    private readonly frequencyMs: number,
    private readonly poll: (dueAt: number) => Promise<void>,
    private readonly counters: PollCounters,
  ) {}

  start(): void {
    const offset = Math.floor(Math.random() * this.frequencyMs);
    this.dueAt = Date.now() + offset;
    this.timer = setTimeout(() => {
      this.timer = setInterval(() => this.tick(), this.frequencyMs).unref();
      this.tick();
    }, offset).unref();
  }

  stop(): void {
    clearTimeout(this.timer);
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private tick(): void {
    const dueAt = this.dueAt;
    // Timers re-arm from when their callback runs; the next poll is due one interval after this one really ran.
    this.dueAt = Date.now() + this.frequencyMs;
    if (this.running) {
      this.counters.skipped++;
      return;
    }
    this.running = true;
    this.counters.polls++;
    void this.poll(dueAt).finally(() => (this.running = false));
  }
}
