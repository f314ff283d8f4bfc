/**
 * IDX file format reader (the format of MNIST and Fashion-MNIST).
 *
 * Layout (all integers big-endian): two zero bytes, one type byte (0x08 = unsigned byte), one byte with the
 * number of dimensions `d`, then `d` uint32 dimension sizes, then the data in row-major order. The magic number
 * is the first four bytes read as one big-endian uint32: 0x00000801 for label files (1-D), 0x00000803 for
 * image files (3-D). Files may be gzip-compressed (`1f 8b` header).
 */

/** A parsed IDX file: its dimension sizes and its unsigned-byte payload (a view, not a copy). */
export interface IdxArray {
  /** Dimension sizes, e.g. `[60000, 28, 28]`. */
  dims: number[];
  /** The payload, `dims.reduce(*)` bytes long. */
  data: Uint8Array;
}

/** Type code of unsigned-byte IDX data, the only one Fashion-MNIST uses. */
export const IDX_UBYTE = 0x08;

/** True when `bytes` starts with the gzip magic `1f 8b`. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Encodes unsigned bytes as an IDX buffer (uncompressed); the inverse of {@link parseIdx}.
 *
 * @param dims - dimension sizes; their product must equal `data.length`.
 * @param data - the payload.
 * @example
 * const buf = encodeIdx([2], new Uint8Array([3, 7]));
 */
export function encodeIdx(dims: readonly number[], data: Uint8Array): Uint8Array {
  const expected = dims.reduce((a, b) => a * b, 1);
  if (expected !== data.length) {
    throw new RangeError(
      `encodeIdx: dims [${dims.join(', ')}] need ${expected} bytes, data has ${data.length}`,
    );
  }
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, (IDX_UBYTE << 8) | dims.length, false);
  dims.forEach((d, i) => {
    view.setUint32(4 + 4 * i, d, false);
  });
  out.set(data, 4 + 4 * dims.length);
  return out;
}

/**
 * The IDX reader behind both `parseIdx` builds (Node: node:zlib; browsers: fflate), with the decompressor passed
 * in. See `parseIdx` for the checks and errors.
 */
export function decodeIdx(
  bytes: Uint8Array,
  expectedRank: number,
  name: string,
  gunzip: (gz: Uint8Array) => Uint8Array,
): IdxArray {
  let raw = bytes;
  if (isGzip(bytes)) {
    try {
      raw = gunzip(bytes);
    } catch (err) {
      throw new Error(
        `parseIdx: ${name} is not a valid gzip stream (${(err as Error).message}); the file is corrupt or ` +
          'truncated: re-download or reinstall it (Debian package dataset-fashion-mnist)',
      );
    }
  }
  if (raw.length < 4) {
    throw new Error(`parseIdx: ${name} has ${raw.length} bytes, fewer than the 4-byte IDX magic number`);
  }
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const magic = view.getUint32(0, false);
  const expectedMagic = (IDX_UBYTE << 8) | expectedRank;
  if (magic !== expectedMagic) {
    throw new Error(
      `parseIdx: ${name} has magic number 0x${magic.toString(16).padStart(8, '0')}, expected ` +
        `0x${expectedMagic.toString(16).padStart(8, '0')} (unsigned-byte IDX with ${expectedRank} dimension` +
        `${expectedRank === 1 ? '' : 's'}); this is not the expected IDX file or it is corrupt`,
    );
  }
  const headerBytes = 4 + 4 * expectedRank;
  if (raw.length < headerBytes) {
    throw new Error(
      `parseIdx: ${name} is truncated inside its header (${raw.length} bytes, header needs ${headerBytes})`,
    );
  }
  const dims: number[] = [];
  for (let i = 0; i < expectedRank; i++) dims.push(view.getUint32(4 + 4 * i, false));
  const expectedLength = dims.reduce((a, b) => a * b, 1);
  const actualLength = raw.length - headerBytes;
  if (actualLength !== expectedLength) {
    throw new Error(
      `parseIdx: ${name} declares dims [${dims.join(', ')}] = ${expectedLength} bytes of data but holds ` +
        `${actualLength}; the file is ${actualLength < expectedLength ? 'truncated' : 'padded or corrupt'}`,
    );
  }
  return { dims, data: raw.subarray(headerBytes) };
}
