/** The part of murmurhash3js-revisited (which ships no types) that the OTA checksums use. */
declare module 'murmurhash3js-revisited' {
  interface MurmurHash3 {
    /** MurmurHash3_x86_32 of the bytes as an unsigned integer. */
    x86: { hash32(bytes: Uint8Array, seed?: number): number };
    /** MurmurHash3_x64_128 of the bytes: 32 hex digits, its two 64-bit halves h1 then h2, each big-endian. */
    x64: { hash128(bytes: Uint8Array, seed?: number): string };
  }
  const murmurHash3: MurmurHash3;
  export = murmurHash3;
}
