import { Worker } from 'node:worker_threads';

/** What a worker answers: one synchronous handler per operation. */
export type WorkerHandlers = Record<string, (args: never) => unknown>;

/**
 * Builds a worker's handlers inside the worker. It runs from its own source text (see FunctionWorker), so it may
 * use only its arguments and what it `require`s itself (by the paths it is given: a module's resolution depends
 * on where the code lives, and this code lives nowhere).
 */
export type WorkerSetup<Data> = (data: Data) => WorkerHandlers;

type Reply = { id: number; result?: unknown; error?: string };

/** The worker's side: answers each request, in the order received, with the handlers `setup` built. */
function serve(setup: (data: unknown) => WorkerHandlers): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- runs as a CommonJS eval worker
  const { parentPort, workerData } = require('node:worker_threads') as typeof import('node:worker_threads');
  const port = parentPort!;
  let handlers: WorkerHandlers;
  try {
    handlers = setup(workerData);
    port.postMessage({ id: 0 });
  } catch (e) {
    port.postMessage({ id: 0, error: (e as Error).message });
    return;
  }
  port.on('message', ({ id, op, args }: { id: number; op: string; args: never }) => {
    try {
      port.postMessage({ id, result: handlers[op](args) });
    } catch (e) {
      port.postMessage({ id, error: (e as Error).message });
    }
  });
}

/**
 * Work on a worker thread, beside the event loop instead of on it (SQLite commits, hashing a large file). The
 * worker's code is a function evaluated from its source text, so the same code runs from the TypeScript
 * sources (tests) and from the build. Requests are answered in the order they were sent.
 */
export class FunctionWorker {
  /** Resolves once `setup` ran in the worker; rejects with its error. */
  readonly started: Promise<void>;
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (result: unknown) => void; reject: (error: Error) => void }>();
  private lastId = 0;
  private stopped?: Error;

  constructor(
    private readonly name: string,
    setup: WorkerSetup<never>,
    data: Record<string, unknown>,
  ) {
    this.worker = new Worker(`(${serve.toString()})(${setup.toString()})`, { eval: true, workerData: data });
    this.started = new Promise<void>((resolve, reject) => this.pending.set(0, { resolve: () => resolve(), reject }));
    this.worker.on('message', ({ id, result, error }: Reply) => {
      const waiting = this.pending.get(id);
      this.pending.delete(id);
      if (error === undefined) waiting?.resolve(result);
      else waiting?.reject(new Error(`${this.name}: ${error}`));
    });
    this.worker.on('error', (error) => this.failAll(error));
    this.worker.on('exit', () => this.failAll(new Error(`${this.name}: the worker thread stopped`)));
  }

  /**
   * Runs `op` in the worker. `onResult` runs as the answer arrives, before any later answer is handled (a
   * caller can act on a read before the commits answered after it).
   */
  request<T>(op: string, args?: unknown, onResult?: (result: T) => void): Promise<T> {
    if (this.stopped) return Promise.reject(this.stopped);
    const id = ++this.lastId;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, {
        resolve: (result) => {
          onResult?.(result as T);
          resolve(result as T);
        },
        reject,
      });
      this.worker.postMessage({ id, op, args });
    });
  }

  /** Runs the worker's `close` handler, if it has one (e.g. to close its database), then ends the thread. */
  async close(): Promise<void> {
    await this.request('close');
    await this.worker.terminate();
  }

  /** Ends the thread at once, dropping whatever it was doing (for workers that hold nothing to close). */
  async terminate(): Promise<void> {
    await this.worker.terminate();
  }

  private failAll(error: Error): void {
    this.stopped ??= error;
    for (const { reject } of this.pending.values()) reject(error);
    this.pending.clear();
  }
}
