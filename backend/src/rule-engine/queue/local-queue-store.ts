import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** A committed queue row as read back from the file. */
export interface StoredRow {
  seq: number;
  item: string;
}

type Request =
  | { op: 'insert'; rows: unknown[] }
  | { op: 'deleteUpTo'; queue: string; seq: number }
  | { op: 'selectAfter'; queue: string; seq: number; limit: number }
  | { op: 'countAfter'; queue: string; seq: number }
  | { op: 'close' };

type Reply = { id: number; result?: unknown; error?: string };

/**
 * The worker's code. It runs in a worker thread evaluated from this function's source, so the same code runs
 * from the TypeScript sources (tests) and from the build; it may use only what it requires itself.
 */
function storeWorker(): void {
  /* eslint-disable @typescript-eslint/no-require-imports -- runs as a CommonJS eval worker */
  const { parentPort, workerData } = require('node:worker_threads') as typeof import('node:worker_threads');
  const Database = require(workerData.sqliteModule as string) as typeof import('better-sqlite3');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const ROWS_PER_INSERT = 100;
  const db = new Database(workerData.file as string);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(
    'CREATE TABLE IF NOT EXISTS queue_msg (queue TEXT NOT NULL, seq INTEGER NOT NULL, item TEXT NOT NULL, PRIMARY KEY (queue, seq)) WITHOUT ROWID',
  );
  const insertOne = db.prepare('INSERT INTO queue_msg (queue, seq, item) VALUES (?, ?, ?)');
  const insertMany = db.prepare(`INSERT INTO queue_msg (queue, seq, item) VALUES ${'(?, ?, ?), '.repeat(ROWS_PER_INSERT - 1)}(?, ?, ?)`);
  const selectAfter = db.prepare('SELECT seq, item FROM queue_msg WHERE queue = ? AND seq > ? ORDER BY seq LIMIT ?');
  const deleteUpTo = db.prepare('DELETE FROM queue_msg WHERE queue = ? AND seq <= ?');
  const countAfter = db.prepare('SELECT count(*) AS n FROM queue_msg WHERE queue = ? AND seq > ?');
  // Multi-row INSERTs: one statement execution per ROWS_PER_INSERT messages instead of one per message.
  const insertAll = db.transaction((rows: unknown[]) => {
    const full = rows.length - (rows.length % (ROWS_PER_INSERT * 3));
    for (let i = 0; i < full; i += ROWS_PER_INSERT * 3) insertMany.run(rows.slice(i, i + ROWS_PER_INSERT * 3));
    for (let i = full; i < rows.length; i += 3) insertOne.run(rows[i], rows[i + 1], rows[i + 2]);
  });
  const handlers: Record<string, (request: Record<string, unknown>) => unknown> = {
    insert: ({ rows }) => void insertAll(rows as unknown[]),
    deleteUpTo: ({ queue, seq }) => void deleteUpTo.run(queue, seq),
    selectAfter: ({ queue, seq, limit }) => selectAfter.all(queue, seq, limit),
    countAfter: ({ queue, seq }) => (countAfter.get(queue, seq) as { n: number }).n,
    close: () => void db.close(),
  };
  parentPort!.on('message', ({ id, request }: { id: number; request: Record<string, unknown> }) => {
    try {
      parentPort!.postMessage({ id, result: handlers[request.op as string](request) });
    } catch (e) {
      parentPort!.postMessage({ id, error: (e as Error).message });
    }
  });
  const { maxSeq } = db.prepare('SELECT max(seq) AS maxSeq FROM queue_msg').get() as { maxSeq: number | null };
  parentPort!.postMessage({ id: 0, result: maxSeq ?? 0 });
}

/**
 * The local queue's SQLite file, written on a worker thread: inserts, deletes and the commits' disk work run
 * beside the event loop instead of on it (measured: about a third of the main thread's SQLite time per
 * message). Requests are answered in the order they were sent, so a read sees every insert sent before it.
 */
export class LocalQueueStore {
  /** The highest seq in the file when it was opened. */
  readonly opened: Promise<number>;
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (result: unknown) => void; reject: (error: Error) => void }>();
  private lastId = 0;
  private stopped?: Error;

  constructor(file: string) {
    const sqliteModule = createRequire(__filename).resolve('better-sqlite3');
    this.worker = new Worker(`(${storeWorker.toString()})()`, { eval: true, workerData: { file, sqliteModule } });
    this.opened = new Promise<number>((resolve, reject) => {
      this.pending.set(0, { resolve: (maxSeq) => resolve(maxSeq as number), reject });
    });
    this.worker.on('message', ({ id, result, error }: Reply) => {
      const waiting = this.pending.get(id);
      this.pending.delete(id);
      if (error === undefined) waiting?.resolve(result);
      else waiting?.reject(new Error(`rule queue file: ${error}`));
    });
    this.worker.on('error', (error) => this.failAll(error));
    this.worker.on('exit', () => this.failAll(new Error('the rule queue worker stopped')));
  }

  /** `rows` is flat: queue, seq, item JSON, queue, seq, … Resolves once committed. */
  insert(rows: unknown[]): Promise<void> {
    return this.request({ op: 'insert', rows }) as Promise<void>;
  }

  deleteUpTo(queue: string, seq: number): Promise<void> {
    return this.request({ op: 'deleteUpTo', queue, seq }) as Promise<void>;
  }

  /**
   * Rows after `seq`, oldest first. `onRows` runs as the answer arrives, before any later answer (an insert's
   * commit) is handled: the caller can switch from reading the file to taking commits from memory without a gap.
   */
  selectAfter(queue: string, seq: number, limit: number, onRows: (rows: StoredRow[]) => void): Promise<void> {
    return this.request({ op: 'selectAfter', queue, seq, limit }, (rows) => onRows(rows as StoredRow[])) as Promise<void>;
  }

  countAfter(queue: string, seq: number): Promise<number> {
    return this.request({ op: 'countAfter', queue, seq }) as Promise<number>;
  }

  async close(): Promise<void> {
    await this.request({ op: 'close' });
    await this.worker.terminate();
  }

  private request(request: Request, onResult?: (result: unknown) => void): Promise<unknown> {
    if (this.stopped) return Promise.reject(this.stopped);
    const id = ++this.lastId;
    return new Promise((resolve, reject) => {
      this.pending.set(id, {
        resolve: (result) => {
          onResult?.(result);
          resolve(result);
        },
        reject,
      });
      this.worker.postMessage({ id, request });
    });
  }

  private failAll(error: Error): void {
    this.stopped ??= error;
    for (const { reject } of this.pending.values()) reject(error);
    this.pending.clear();
  }
}
