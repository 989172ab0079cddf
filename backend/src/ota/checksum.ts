import { createHash, type Hash } from 'node:crypto';
import { crc32 } from 'node:zlib';

/** ThingsBoard's checksum algorithms (device-api.md §1.12.1); the MURMUR3 ones have no well-kept library to compute them here. */
export const CHECKSUM_ALGORITHMS = ['MD5', 'SHA256', 'SHA384', 'SHA512', 'CRC32', 'MURMUR3_32', 'MURMUR3_128'] as const;
export type ChecksumAlgorithm = (typeof CHECKSUM_ALGORITHMS)[number];
export const COMPUTABLE_ALGORITHMS: readonly ChecksumAlgorithm[] = ['MD5', 'SHA256', 'SHA384', 'SHA512', 'CRC32'];

/** A checksum computed over a stream of chunks. */
export interface ChecksumCalculator {
  update(chunk: Buffer): void;
  /** Lowercase hex, as ThingsBoard writes it to `fw_checksum`. */
  digest(): string;
}

const NODE_HASH_NAMES: Partial<Record<ChecksumAlgorithm, string>> = { MD5: 'md5', SHA256: 'sha256', SHA384: 'sha384', SHA512: 'sha512' };

class DigestCalculator implements ChecksumCalculator {
  private readonly hash: Hash;
  constructor(name: string) {
    this.hash = createHash(name);
  }
  update(chunk: Buffer): void {
    this.hash.update(chunk);
  }
  digest(): string {
    return this.hash.digest('hex');
  }
}

/**
 * CRC32 as ThingsBoard prints it (Guava's HashCode text): the four bytes little-endian, so CRC 0x3610a686 reads
 * `86a61036` — what the ThingsBoard device SDKs compare against.
 */
class Crc32Calculator implements ChecksumCalculator {
  private value = 0;
  update(chunk: Buffer): void {
    this.value = crc32(chunk, this.value);
  }
  digest(): string {
    const bytes = Buffer.alloc(4);
    bytes.writeUInt32LE(this.value >>> 0);
    return bytes.toString('hex');
  }
}

/** The algorithm named by a request parameter (any letter case), or undefined when ThingsBoard has no such algorithm. */
export function checksumAlgorithmOf(name: string): ChecksumAlgorithm | undefined {
  const upper = name.trim().toUpperCase();
  return (CHECKSUM_ALGORITHMS as readonly string[]).includes(upper) ? (upper as ChecksumAlgorithm) : undefined;
}

/** A calculator for `algorithm`, or undefined for the MURMUR3 algorithms (not computable here). */
export function checksumCalculator(algorithm: ChecksumAlgorithm): ChecksumCalculator | undefined {
  if (algorithm === 'CRC32') return new Crc32Calculator();
  const name = NODE_HASH_NAMES[algorithm];
  return name ? new DigestCalculator(name) : undefined;
}
