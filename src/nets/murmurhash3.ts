/**
 * MurmurHash3 x86 32-bit (Austin Appleby, public domain), over UTF-8 bytes. The same
 * function as Python's `mmh3.hash(..., signed=False)` and Guava's `murmur3_32`, so a net's
 * hashed features can be reproduced outside this code base from the seed in its meta.json.
 */

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

/** Hashes `bytes[start, end)` with `seed`; returns an unsigned 32-bit integer. */
export function murmurhash3(bytes: Uint8Array, seed: number, start = 0, end = bytes.length): number {
  let h = seed >>> 0;
  const len = end - start;
  const blocksEnd = start + (len & ~3);
  let i = start;
  for (; i < blocksEnd; i += 4) {
    let k = bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
    k = Math.imul(k, C1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, C2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const tail = len & 3;
  if (tail > 0) {
    let k = 0;
    if (tail === 3) k ^= bytes[i + 2]! << 16;
    if (tail >= 2) k ^= bytes[i + 1]! << 8;
    k ^= bytes[i]!;
    k = Math.imul(k, C1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, C2);
    h ^= k;
  }
  h ^= len;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const encoder = new TextEncoder();

/** Hashes a string's UTF-8 encoding with `seed`; returns an unsigned 32-bit integer. */
export function murmurhash3String(text: string, seed: number): number {
  return murmurhash3(encoder.encode(text), seed);
}
