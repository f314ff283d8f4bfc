import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { encodeIdx, isGzip, parseIdx as parseIdxNode } from './idx';
import { parseIdx as parseIdxPortable } from './idx-portable';

describe.each([
  ['node:zlib', parseIdxNode],
  ['portable', parseIdxPortable],
])('parseIdx (%s)', (_build, parseIdx) => {
  const data = Uint8Array.from({ length: 2 * 3 * 4 }, (_, i) => i);
  const idx = encodeIdx([2, 3, 4], data);

  it('round-trips encodeIdx, plain and gzip-compressed, with a big-endian header', () => {
    expect(Array.from(idx.subarray(0, 8))).toEqual([0, 0, 8, 3, 0, 0, 0, 2]);
    for (const bytes of [idx, new Uint8Array(gzipSync(idx))]) {
      const parsed = parseIdx(bytes, 3, 'x');
      expect(parsed.dims).toEqual([2, 3, 4]);
      expect(Array.from(parsed.data)).toEqual(Array.from(data));
    }
    expect(isGzip(new Uint8Array(gzipSync(idx)))).toBe(true);
    expect(isGzip(idx)).toBe(false);
  });

  it('reads dims above 65535 (all four header bytes)', () => {
    const big = encodeIdx([70000], new Uint8Array(70000));
    expect(parseIdx(big, 1).dims).toEqual([70000]);
  });

  it('rejects a wrong magic number (labels file read as images) with both numbers', () => {
    const labels = encodeIdx([3], new Uint8Array(3));
    expect(() => parseIdx(labels, 3, 'lbl')).toThrow(/lbl has magic number 0x00000801, expected 0x00000803/);
    const floatType = idx.slice();
    floatType[2] = 0x0d;
    expect(() => parseIdx(floatType, 3, 'f')).toThrow(/magic number 0x00000d03/);
  });

  it('rejects truncated headers and payloads, and padded payloads', () => {
    expect(() => parseIdx(idx.subarray(0, 3), 3, 'a')).toThrow(
      /a has 3 bytes, fewer than the 4-byte IDX magic/,
    );
    expect(() => parseIdx(idx.subarray(0, 10), 3, 'b')).toThrow(/b is truncated inside its header/);
    expect(() => parseIdx(idx.subarray(0, idx.length - 1), 3, 'c')).toThrow(
      /c declares dims \[2, 3, 4\] = 24 bytes of data but holds 23; the file is truncated/,
    );
    const padded = new Uint8Array(idx.length + 2);
    padded.set(idx);
    expect(() => parseIdx(padded, 3, 'd')).toThrow(/holds 26; the file is padded or corrupt/);
  });

  it('rejects a truncated or corrupt gzip stream', () => {
    const gz = new Uint8Array(gzipSync(idx));
    expect(() => parseIdx(gz.subarray(0, gz.length - 10), 3, 'e.gz')).toThrow(
      /e.gz is not a valid gzip stream/,
    );
    const flipped = gz.slice();
    flipped[12] = (flipped[12]! ^ 0xff) & 0xff;
    expect(() => parseIdx(flipped, 3, 'f.gz')).toThrow(/f.gz/);
  });

  it('encodeIdx refuses data that does not match dims', () => {
    expect(() => encodeIdx([2, 2], new Uint8Array(3))).toThrow(RangeError);
  });
});
