/**
 * Runs async work one at a time per key and in parallel across keys — how the device-profile node keeps
 * each device's messages and periodic checks in order. Keys are dropped once idle.
 */
export class PerKeyQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  /** Whether work for `key` is queued or running. */
  busy(key: string): boolean {
    return this.tails.has(key);
  }

  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const result = (this.tails.get(key) ?? Promise.resolve()).then(work, work);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}
