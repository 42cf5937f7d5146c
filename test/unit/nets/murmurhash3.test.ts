import { describe, expect, it } from 'vitest';
import { murmurhash3, murmurhash3String } from '../../../src/nets/murmurhash3.js';

describe('murmurhash3', () => {
  it('matches the published x86 32-bit test vectors', () => {
    expect(murmurhash3String('', 0)).toBe(0);
    expect(murmurhash3String('', 1)).toBe(0x514e28b7);
    expect(murmurhash3String('', 0xffffffff)).toBe(0x81f16f39);
    expect(murmurhash3(new Uint8Array(4), 0)).toBe(0x2362f9de);
    expect(murmurhash3String('a', 0x9747b28c)).toBe(0x7fa09ea6);
    expect(murmurhash3String('aaaa', 0x9747b28c)).toBe(0x5a97808a);
    expect(murmurhash3String('abc', 0)).toBe(0xb3dd93fa);
    expect(murmurhash3String('Hello, world!', 0x9747b28c)).toBe(0x24884cba);
    expect(murmurhash3String('ππππππππ', 0x9747b28c)).toBe(0xd58063c1);
    expect(murmurhash3String('The quick brown fox jumps over the lazy dog', 0x9747b28c)).toBe(0x2fa826cd);
  });

  it('hashes a byte range the same as a copy of that range', () => {
    const bytes = new TextEncoder().encode('xx hello world yy');
    expect(murmurhash3(bytes, 7, 3, 14)).toBe(murmurhash3(bytes.slice(3, 14), 7));
  });
});
