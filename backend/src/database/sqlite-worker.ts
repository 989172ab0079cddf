import { createRequire } from 'node:module';
import { FunctionWorker, type WorkerHandlers } from '../workers/function-worker';

export type { WorkerHandlers };

/** A FunctionWorker for SQLite work: its setup gets `sqliteModule`, the path to require better-sqlite3 by. */
export class SqliteWorker extends FunctionWorker {
  constructor(name: string, setup: (data: never) => WorkerHandlers, data: Record<string, unknown>) {
    super(name, setup, { ...data, sqliteModule: createRequire(__filename).resolve('better-sqlite3') });
  }
}
