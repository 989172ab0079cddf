import type { DataSource, EntityManager, QueryRunner } from 'typeorm';

/** Longer than any transaction of ours should hold the database; then the waiter fails instead of hanging. */
const LOCK_WAIT_MS = 30_000;

/**
 * SQLite has one connection and TypeORM gives every caller the same query runner on it, so two async
 * transactions started at the same time interleave ("cannot start a transaction within a transaction", or
 * one silently nesting into the other). This queues them the way a server database would: a transaction
 * started through `DataSource.transaction()` / `manager.transaction()`, or implicitly by `save()`, waits
 * until the previous one has committed or rolled back. Work done through the transaction's own manager
 * (`tx.getRepository(…)`, nested `tx.transaction`) runs inside it as before.
 *
 * (No AsyncLocalStorage on purpose: on Node 20 it turns on promise hooks, a cost on every promise of the
 * ingest path.)
 */
export function serialiseSqliteTransactions(dataSource: DataSource): void {
  let tail: Promise<void> = Promise.resolve();
  const acquire = (): Promise<() => void> => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const previous = tail;
    tail = previous.then(() => held);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`gave up after waiting ${LOCK_WAIT_MS} ms for another SQLite transaction to end; try again`)),
        LOCK_WAIT_MS,
      );
      void previous.then(() => {
        clearTimeout(timer);
        resolve(release);
      });
    });
  };

  // Explicit transactions: the lock is held for the whole callback.
  let explicitHeld = false;
  const manager = dataSource.manager;
  const transaction = manager.transaction.bind(manager) as (...args: unknown[]) => Promise<unknown>;
  manager.transaction = (async (...args: unknown[]) => {
    const release = await acquire();
    explicitHeld = true;
    try {
      return await transaction(...args);
    } finally {
      explicitHeld = false;
      release();
    }
  }) as EntityManager['transaction'];

  // Implicit ones (save/remove outside a transaction) take the lock from BEGIN to COMMIT/ROLLBACK.
  const runner: QueryRunner = dataSource.driver.createQueryRunner('master');
  const depth = () => (runner as unknown as { transactionDepth: number }).transactionDepth;
  const start = runner.startTransaction.bind(runner);
  const commit = runner.commitTransaction.bind(runner);
  const rollback = runner.rollbackTransaction.bind(runner);
  let implicitRelease: (() => void) | null = null;
  const end = async (finish: () => Promise<void>) => {
    const outermost = depth() === 1;
    try {
      await finish();
    } finally {
      if (outermost && implicitRelease) {
        const release = implicitRelease;
        implicitRelease = null;
        release();
      }
    }
  };
  runner.startTransaction = async (isolationLevel) => {
    if (explicitHeld || runner.isTransactionActive) return start(isolationLevel);
    const release = await acquire();
    try {
      await start(isolationLevel);
      implicitRelease = release;
    } catch (e) {
      release();
      throw e;
    }
  };
  runner.commitTransaction = () => end(commit);
  runner.rollbackTransaction = () => end(rollback);

  // A second connection writes timeseries (SqliteTsSink). A deferred transaction that read first would fail
  // with SQLITE_BUSY_SNAPSHOT on its first write if that connection committed in between: IMMEDIATE takes the
  // write lock up front (waiting up to busy_timeout for the other connection's short transaction).
  const query = runner.query.bind(runner) as (sql: string, ...rest: unknown[]) => Promise<unknown>;
  runner.query = ((sql: string, ...rest: unknown[]) =>
    query(sql === 'BEGIN TRANSACTION' ? 'BEGIN IMMEDIATE TRANSACTION' : sql, ...rest)) as QueryRunner['query'];
}
