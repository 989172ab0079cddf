import { SqliteWorker, WorkerHandlers } from '../../database/sqlite-worker';

/** A committed queue row as read back from the file. */
export interface StoredRow {
  seq: number;
  item: string;
}

/** Runs in the worker thread (see SqliteWorker): everything it uses, it requires. */
function openQueueFile({ file, sqliteModule }: { file: string; sqliteModule: string }): WorkerHandlers {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- runs as a CommonJS eval worker
  const Database = require(sqliteModule) as typeof import('better-sqlite3');
  const ROWS_PER_INSERT = 100;
  const db = new Database(file);
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
  const maxSeq = db.prepare('SELECT max(seq) AS maxSeq FROM queue_msg');
  // Multi-row INSERTs: one statement execution per ROWS_PER_INSERT messages instead of one per message.
  const insertAll = db.transaction((rows: unknown[]) => {
    const full = rows.length - (rows.length % (ROWS_PER_INSERT * 3));
    for (let i = 0; i < full; i += ROWS_PER_INSERT * 3) insertMany.run(rows.slice(i, i + ROWS_PER_INSERT * 3));
    for (let i = full; i < rows.length; i += 3) insertOne.run(rows[i], rows[i + 1], rows[i + 2]);
  });
  return {
    insert: (rows: unknown[]) => void insertAll(rows),
    deleteUpTo: ({ queue, seq }: { queue: string; seq: number }) => void deleteUpTo.run(queue, seq),
    selectAfter: ({ queue, seq, limit }: { queue: string; seq: number; limit: number }) => selectAfter.all(queue, seq, limit),
    countAfter: ({ queue, seq }: { queue: string; seq: number }) => (countAfter.get(queue, seq) as { n: number }).n,
    maxSeq: () => (maxSeq.get() as { maxSeq: number | null }).maxSeq ?? 0,
    close: () => void db.close(),
  };
}

/**
 * The local queue's SQLite file, written on a worker thread: inserts, deletes and the commits' disk work run
 * beside the event loop instead of on it. Requests are answered in the order they were sent, so a read sees
 * every insert sent before it.
 */
export class LocalQueueStore {
  /** The highest seq in the file when it was opened. */
  readonly opened: Promise<number>;
  private readonly worker: SqliteWorker;

  constructor(file: string) {
    this.worker = new SqliteWorker('rule queue file', openQueueFile, { file });
    this.opened = this.worker.started.then(() => this.worker.request<number>('maxSeq'));
  }

  /** `rows` is flat: queue, seq, item JSON, queue, seq, … Resolves once committed. */
  insert(rows: unknown[]): Promise<void> {
    return this.worker.request('insert', rows);
  }

  deleteUpTo(queue: string, seq: number): Promise<void> {
    return this.worker.request('deleteUpTo', { queue, seq });
  }

  /**
   * Rows after `seq`, oldest first. `onRows` runs as the answer arrives, before any later answer (an insert's
   * commit) is handled: the caller can switch from reading the file to taking commits from memory without a gap.
   */
  selectAfter(queue: string, seq: number, limit: number, onRows: (rows: StoredRow[]) => void): Promise<void> {
    return this.worker.request<StoredRow[]>('selectAfter', { queue, seq, limit }, onRows).then(() => undefined);
  }

  countAfter(queue: string, seq: number): Promise<number> {
    return this.worker.request('countAfter', { queue, seq });
  }

  close(): Promise<void> {
    return this.worker.close();
  }
}
