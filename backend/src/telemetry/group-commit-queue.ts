interface Pending<T> {
  item: T;
  weight: number;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit (design.md, "The durable path, cheaply"): whenever the writer is idle it flushes everything
 * that has accumulated — up to `maxWeight` per transaction — and never waits for a batch to fill or a timer.
 * A caller's promise settles after the transaction holding its item committed. If a batch fails, its items
 * are retried one by one so one bad item cannot fail its neighbours.
 */
export class GroupCommitQueue<T> {
  private pending: Pending<T>[] = [];
  private running = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly flush: (items: T[]) => Promise<void> | void,
    private readonly maxWeight: number,
  ) {}

  /** Queues `item` (worth `weight` data points); resolves once it is committed. */
  submit(item: T, weight: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ item, weight, resolve, reject });
      if (!this.running) {
        this.running = true;
        // setImmediate, not a microtask: lets every request that arrived in this event-loop turn join the batch.
        setImmediate(() => void this.run());
      }
    });
  }

  /** Resolves when everything submitted so far is committed (or failed). */
  drain(): Promise<void> {
    return this.running ? new Promise((resolve) => this.idleWaiters.push(resolve)) : Promise.resolve();
  }

  private async run(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.takeBatch();
      try {
        await this.flush(batch.map((p) => p.item));
        for (const p of batch) p.resolve();
      } catch (error) {
        if (batch.length === 1) batch[0].reject(error);
        else await this.retryOneByOne(batch);
      }
    }
    this.running = false;
    for (const wake of this.idleWaiters.splice(0)) wake();
  }

  private takeBatch(): Pending<T>[] {
    let weight = 0;
    let n = 0;
    while (n < this.pending.length && (n === 0 || weight + this.pending[n].weight <= this.maxWeight)) weight += this.pending[n++].weight;
    return this.pending.splice(0, n);
  }

  private async retryOneByOne(batch: Pending<T>[]): Promise<void> {
    for (const p of batch) {
      try {
        await this.flush([p.item]);
        p.resolve();
      } catch (error) {
        p.reject(error);
      }
    }
  }
}
