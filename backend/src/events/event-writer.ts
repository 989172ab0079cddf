/** Where the writer reports trouble (a Nest Logger fits). */
export interface WriterLog {
  warn(message: string): void;
}

/**
 * Fire-and-forget group commit for events: `add` never waits. Whenever the writer is idle it writes
 * everything that has arrived in one go (design.md, "The durable path, cheaply"). Unlike telemetry's
 * GroupCommitQueue nobody awaits an event, so there is no promise per item, and memory is bounded: past
 * `capacity` waiting or in-flight events, new ones are dropped and counted, and a failed write drops its
 * batch. Each episode of dropping is logged once when it starts and once, with the count, when it ends.
 */
export class EventWriter<T> {
  private waiting: T[] = [];
  private inFlight = 0;
  private running = false;
  private droppedInEpisode = 0;
  private droppedTotal = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly write: (batch: T[]) => Promise<void>,
    private readonly capacity: number,
    private readonly log: WriterLog,
  ) {}

  /** Queues the item; false when it was dropped because the buffer is full. */
  add(item: T): boolean {
    if (this.waiting.length + this.inFlight >= this.capacity) {
      this.drop(1, `more than ${this.capacity} events wait for the database (EVENTS_BUFFER_SIZE)`);
      return false;
    }
    this.waiting.push(item);
    if (!this.running) {
      this.running = true;
      // setImmediate, not a microtask: every event of this event-loop turn joins the batch.
      setImmediate(() => void this.run());
    }
    return true;
  }

  /** Events dropped since start (buffer full or write failed). */
  get dropped(): number {
    return this.droppedTotal;
  }

  /** Resolves when everything added so far is written (or dropped). */
  drain(): Promise<void> {
    return this.running ? new Promise((resolve) => this.idleWaiters.push(resolve)) : Promise.resolve();
  }

  private async run(): Promise<void> {
    while (this.waiting.length > 0) {
      const batch = this.waiting;
      this.waiting = [];
      this.inFlight = batch.length;
      try {
        await this.write(batch);
      } catch (e) {
        this.drop(batch.length, `the database refused a batch: ${(e as Error).message}`);
      }
      this.inFlight = 0;
    }
    this.running = false;
    if (this.droppedInEpisode > 0) {
      this.log.warn(`Events are written again; ${this.droppedInEpisode} were dropped meanwhile (${this.droppedTotal} since start)`);
      this.droppedInEpisode = 0;
    }
    for (const wake of this.idleWaiters.splice(0)) wake();
  }

  private drop(count: number, reason: string): void {
    if (this.droppedInEpisode === 0)
      this.log.warn(`Dropping events: ${reason}. Debug events are the usual cause: turn node debug off or raise EVENTS_BUFFER_SIZE`);
    this.droppedInEpisode += count;
    this.droppedTotal += count;
  }
}
