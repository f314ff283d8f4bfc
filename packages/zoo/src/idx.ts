/**
 * `parseIdx` for Node: gzip through node:zlib (about 3x faster than a JavaScript inflater on the full dataset).
 * The browser build of @klevel/zoo exports the same function from `idx-portable.ts`.
 */
import { gunzipSync } from 'node:zlib';
import { decodeIdx, type IdxArray } from './idx-format';

export { encodeIdx, IDX_UBYTE, isGzip } from './idx-format';
export type { IdxArray } from './idx-format';

/**
 * Parses an IDX buffer (gzip-compressed or not) of unsigned bytes and checks it thoroughly.
 *
 * @param bytes - the file contents.
 * @param expectedRank - the number of dimensions the caller expects (1 for labels, 3 for images).
 * @param name - a label for error messages, usually the file path.
 * @returns the dims and a view of the payload.
 * @throws Error naming the file when the gzip stream is corrupt, the magic number is wrong, the rank differs
 *   from `expectedRank`, or the payload length does not match the dims (truncated or padded file).
 * @example
 * const { dims, data } = parseIdx(readFileSync('train-labels-idx1-ubyte.gz'), 1, 'labels');
 */
export function parseIdx(bytes: Uint8Array, expectedRank: number, name = 'IDX data'): IdxArray {
  return decodeIdx(bytes, expectedRank, name, (gz) => new Uint8Array(gunzipSync(gz)));
}
