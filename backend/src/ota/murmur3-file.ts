import { createRequire } from 'node:module';
import { FunctionWorker, type WorkerHandlers } from '../workers/function-worker';
import { murmur3Text, type Murmur3Algorithm } from './checksum';

/** Runs in the worker thread (see FunctionWorker): reads the file and returns the library's raw hash. */
function hashFile({ murmurModule }: { murmurModule: string }): WorkerHandlers {
  /* eslint-disable @typescript-eslint/no-require-imports -- runs as a CommonJS eval worker */
  const murmur = require(murmurModule) as typeof import('murmurhash3js-revisited');
  const { readFileSync } = require('node:fs') as typeof import('node:fs');
  /* eslint-enable @typescript-eslint/no-require-imports */
  return {
    hash: ({ path, algorithm }: { path: string; algorithm: Murmur3Algorithm }) => {
      const data = readFileSync(path);
      return algorithm === 'MURMUR3_32' ? murmur.x86.hash32(data) : murmur.x64.hash128(data);
    },
  };
}

/**
 * The MURMUR3 checksum of a stored file, computed on a worker thread: the library cannot hash a stream, and
 * hashing a 50 MB package at once takes about a second — too long to hold the event loop (and every device's
 * acknowledgement) for.
 */
export async function murmur3OfFile(algorithm: Murmur3Algorithm, path: string): Promise<string> {
  const worker = new FunctionWorker('MURMUR3 checksum', hashFile, {
    murmurModule: createRequire(__filename).resolve('murmurhash3js-revisited'),
  });
  try {
    await worker.started;
    return murmur3Text(algorithm, await worker.request<number | string>('hash', { path, algorithm }));
  } finally {
    await worker.terminate();
  }
}
