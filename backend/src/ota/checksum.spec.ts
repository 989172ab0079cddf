import { describe, expect, it } from 'vitest';
import { checksumAlgorithmOf, checksumCalculator, checksumOf } from './checksum';

/** 1 MiB where byte i is i % 251: many 16-byte blocks, no period that lines up with them. */
const MEBIBYTE_PATTERN = Buffer.from(Array.from({ length: 1024 * 1024 }, (_, i) => i % 251));

/**
 * Expected strings computed independently with Python's mmh3 5.3.0 (`hash(data, signed=False)` /
 * `hash128(data, signed=False)`, seed 0), written as the hash's bytes little-endian in lower-case hex: Guava's
 * HashCode text, which ThingsBoard stores and its Python SDK (sdk_utils.verify_checksum) compares against.
 */
const KNOWN_ANSWERS: [string, Buffer, string, string][] = [
  ['empty', Buffer.alloc(0), '00000000', '00000000000000000000000000000000'],
  ['"hello"', Buffer.from('hello'), '47fa8b24', '029bbd41b3a7d8cb191dae486a901e5b'],
  ['15 bytes (a tail in both 64-bit lanes)', Buffer.from('The quick brown'), '07c9551e', '1692e364b87c13484bd67a3964af7bfd'],
  ['1 MiB pattern', MEBIBYTE_PATTERN, '7e00e09f', 'cd2b1c7f0afdbd045bd91fb2261b06d3'],
];

describe('OTA checksums', () => {
  it.each(KNOWN_ANSWERS)('computes MURMUR3_32 and MURMUR3_128 of %s as ThingsBoard prints them', (_name, data, murmur32, murmur128) => {
    expect(checksumOf('MURMUR3_32', data)).toBe(murmur32);
    expect(checksumOf('MURMUR3_128', data)).toBe(murmur128);
  });

  it('computes the streamable algorithms the same way at once as chunk by chunk', () => {
    for (const algorithm of ['MD5', 'SHA256', 'SHA384', 'SHA512', 'CRC32'] as const) {
      const calculator = checksumCalculator(algorithm)!;
      for (let offset = 0; offset < MEBIBYTE_PATTERN.length; offset += 100_000)
        calculator.update(MEBIBYTE_PATTERN.subarray(offset, offset + 100_000));
      expect(checksumOf(algorithm, MEBIBYTE_PATTERN), algorithm).toBe(calculator.digest());
    }
    expect(checksumOf('CRC32', Buffer.from('hello'))).toBe('86a61036');
    expect(checksumCalculator('MURMUR3_128')).toBeUndefined();
  });

  it('reads an algorithm name in any letter case', () => {
    expect(checksumAlgorithmOf(' murmur3_128 ')).toBe('MURMUR3_128');
    expect(checksumAlgorithmOf('SHA1')).toBeUndefined();
  });
});
