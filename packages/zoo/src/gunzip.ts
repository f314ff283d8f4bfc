/**
 * gzip decompression that runs everywhere (Node and browsers): fflate inflates, and the gzip trailer is
 * verified here (CRC-32 and length of the output), so a corrupt or truncated file is an error, never wrong data.
 */
import { gunzipSync } from 'fflate';

let table: Uint32Array | undefined;

/** CRC-32 (IEEE 802.3, the gzip checksum) of `bytes`. */
export function crc32(bytes: Uint8Array): number {
  if (!table) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) crc = table[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/**
 * Decompresses one gzip member and checks its trailer.
 *
 * @throws Error when the stream does not inflate, or its CRC-32 or length differs from the trailer's.
 * @example
 * const raw = gunzip(new Uint8Array(await (await fetch('train-labels-idx1-ubyte.gz')).arrayBuffer()));
 */
export function gunzip(bytes: Uint8Array): Uint8Array {
  if (bytes.length < 18)
    throw new Error(`gzip stream of ${bytes.length} bytes is shorter than a gzip header and trailer`);
  const out = gunzipSync(bytes);
  const trailer = new DataView(bytes.buffer, bytes.byteOffset + bytes.length - 8, 8);
  const crc = trailer.getUint32(0, true);
  const size = trailer.getUint32(4, true);
  if (size !== out.length % 2 ** 32) {
    throw new Error(
      `gzip trailer says ${size} bytes, the stream inflates to ${out.length}: truncated or corrupt`,
    );
  }
  const actual = crc32(out);
  if (actual !== crc) {
    throw new Error(
      `gzip CRC-32 mismatch (trailer 0x${crc.toString(16)}, data 0x${actual.toString(16)}): the data is corrupt`,
    );
  }
  return out;
}
