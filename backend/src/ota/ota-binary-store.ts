import { createReadStream, type ReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';

/**
 * OTA binaries on disk: `DATA_DIR/ota/<package id>`. An upload is written under `incoming/` first and renamed
 * into place only once it is complete and flushed, so a package file is never half-written.
 */
export class OtaBinaryStore {
  readonly directory: string;
  private readonly incoming: string;

  constructor(dataDir: string) {
    this.directory = join(resolve(dataDir), 'ota');
    this.incoming = join(this.directory, 'incoming');
  }

  /** A fresh path for an upload in progress (the directory exists once this resolves). */
  async incomingPath(): Promise<string> {
    await mkdir(this.incoming, { recursive: true });
    return join(this.incoming, `${randomUUID()}.part`);
  }

  /** Flushes a finished upload to disk and moves it into place as the binary of `packageId`. */
  async commit(incomingPath: string, packageId: string): Promise<void> {
    const file = await open(incomingPath, 'r+');
    try {
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(incomingPath, this.pathOf(packageId));
  }

  /** Deletes an upload that will not be kept; a missing file is fine. */
  discardIncoming(incomingPath: string): Promise<void> {
    return rm(incomingPath, { force: true });
  }

  remove(packageId: string): Promise<void> {
    return rm(this.pathOf(packageId), { force: true });
  }

  /** `length` bytes from `offset` (fewer at the end of the file), read positionally: nothing else of the file is loaded. */
  async read(packageId: string, offset: number, length: number): Promise<Uint8Array> {
    const file = await open(this.pathOf(packageId), 'r');
    try {
      const buffer = Buffer.allocUnsafe(length);
      let filled = 0;
      while (filled < length) {
        const { bytesRead } = await file.read(buffer, filled, length - filled, offset + filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      return buffer.subarray(0, filled);
    } finally {
      await file.close();
    }
  }

  stream(packageId: string): ReadStream {
    return createReadStream(this.pathOf(packageId));
  }

  /** Removes leftovers of interrupted uploads and binaries whose package is gone (e.g. its tenant was deleted). */
  async prune(keep: ReadonlySet<string>): Promise<string[]> {
    await rm(this.incoming, { recursive: true, force: true });
    const entries = await readdir(this.directory).catch(() => [] as string[]);
    const removed = entries.filter((name) => name !== 'incoming' && !keep.has(name));
    for (const name of removed) await rm(join(this.directory, name), { force: true, recursive: true });
    return removed;
  }

  private pathOf(packageId: string): string {
    return join(this.directory, packageId);
  }
}
