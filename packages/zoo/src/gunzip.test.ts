import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32, gunzip } from './gunzip';

describe('gunzip', () => {
  const data = new Uint8Array(5000).map((_, i) => (i * 7) % 251);
  const gz = new Uint8Array(gzipSync(data));

  it('computes the standard CRC-32 check value', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });

  it('inflates what zlib deflated', () => {
    expect(gunzip(gz)).toEqual(data);
  });

  it('refuses a truncated stream', () => {
    expect(() => gunzip(gz.subarray(0, gz.length - 10))).toThrow();
    expect(() => gunzip(gz.subarray(0, 10))).toThrow(/shorter than a gzip header/);
  });

  it('refuses a stream whose trailer does not match the data', () => {
    const badCrc = gz.slice();
    badCrc[badCrc.length - 8]! ^= 0xff;
    expect(() => gunzip(badCrc)).toThrow(/CRC-32 mismatch/);
    const badSize = gz.slice();
    badSize[badSize.length - 4]! ^= 0x01;
    expect(() => gunzip(badSize)).toThrow(/trailer says/);
  });
});
