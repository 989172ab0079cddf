import murmurHash3 from 'murmurhash3js-revisited';
import { createHash, type Hash } from 'node:crypto';
import { crc32 } from 'node:zlib';

/** ThingsBoard's checksum algorithms (device-api.md §1.12.1). */
export const CHECKSUM_ALGORITHMS = ['MD5', 'SHA256', 'SHA384', 'SHA512', 'CRC32', 'MURMUR3_32', 'MURMUR3_128'] as const;
export type ChecksumAlgorithm = (typeof CHECKSUM_ALGORITHMS)[number];

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
    return uint32LittleEndianHex(this.value);
  }
}

function uint32LittleEndianHex(value: number): string {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32LE(value >>> 0);
  return bytes.toString('hex');
}

/**
 * MurmurHash3 (seed 0) as ThingsBoard prints it, Guava's HashCode text: MURMUR3_32 is the x86 32-bit hash's four
 * bytes little-endian; MURMUR3_128 is the x64 128-bit hash's halves h1 then h2, each eight bytes little-endian —
 * what the ThingsBoard device SDKs compare against.
 */
function murmur3Checksum(algorithm: Murmur3Algorithm, data: Buffer): string {
  return murmur3Text(algorithm, algorithm === 'MURMUR3_32' ? murmurHash3.x86.hash32(data) : murmurHash3.x64.hash128(data));
}

export type Murmur3Algorithm = 'MURMUR3_32' | 'MURMUR3_128';

export const isMurmur3 = (algorithm: ChecksumAlgorithm): algorithm is Murmur3Algorithm =>
  algorithm === 'MURMUR3_32' || algorithm === 'MURMUR3_128';

/** The checksum text of the library's raw hash: the 32-bit number, or the 128-bit hash as big-endian hex halves. */
export function murmur3Text(algorithm: Murmur3Algorithm, hash: number | string): string {
  if (algorithm === 'MURMUR3_32') return uint32LittleEndianHex(hash as number);
  const littleEndian = (half: string) => Buffer.from(half, 'hex').reverse().toString('hex');
  return littleEndian((hash as string).slice(0, 16)) + littleEndian((hash as string).slice(16));
}

/** The algorithm named by a request parameter (any letter case), or undefined when ThingsBoard has no such algorithm. */
export function checksumAlgorithmOf(name: string): ChecksumAlgorithm | undefined {
  const upper = name.trim().toUpperCase();
  return (CHECKSUM_ALGORITHMS as readonly string[]).includes(upper) ? (upper as ChecksumAlgorithm) : undefined;
}

/**
 * A calculator that hashes while the bytes stream, or undefined for the MURMUR3 algorithms: their library has no
 * streaming API, so they are computed over the whole data with `checksumOf`.
 */
export function checksumCalculator(algorithm: ChecksumAlgorithm): ChecksumCalculator | undefined {
  if (algorithm === 'CRC32') return new Crc32Calculator();
  const name = NODE_HASH_NAMES[algorithm];
  return name ? new DigestCalculator(name) : undefined;
}

/** The checksum of all of `data` at once, for any algorithm. */
export function checksumOf(algorithm: ChecksumAlgorithm, data: Buffer): string {
  if (isMurmur3(algorithm)) return murmur3Checksum(algorithm, data);
  const calculator = checksumCalculator(algorithm)!;
  calculator.update(data);
  return calculator.digest();
}
