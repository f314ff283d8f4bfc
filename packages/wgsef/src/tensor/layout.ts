/**
 * Tensor layouts for the device-side prox, and the group squared norms computed on the device.
 *
 * A term is one weight tensor plus the axes that index groups; reducing the squares over every other
 * axis leaves one squared norm per position of `groupAxes` (row-major), which `groupIds` maps to a group.
 * This is structurally the `LayoutTerm` contract of @klevel/groups with the variable name replaced by the
 * tensor itself, so a group can span several tensors (a filter plus its bias and BN gamma/beta).
 */
import * as tf from '@tensorflow/tfjs-core';
import { describeValue } from '../validate';

/** One weight tensor of a group layout (compatible with @klevel/groups' `LayoutTerm`). */
export interface TensorLayoutTerm {
  /** The weights (float32). Never read back to JS by this package; only reduced on the device. */
  tensor: tf.Tensor;
  /** Axes that index groups, sorted ascending; [] = the whole tensor is one position. */
  groupAxes: number[];
  /** Group index per position of `groupAxes` (row-major; length = product of their sizes); -1 = none. */
  groupIds: Int32Array;
}

/** Validated geometry of a term: positions P and the contiguous-block split [outer, positions, inner]. */
export interface TermGeometry {
  positions: number;
  /** Elements per position (product of the reduced axes). */
  perPosition: number;
  /** True when groupAxes is a contiguous block of axes (then outer x positions x inner is a reshape). */
  contiguous: boolean;
  outer: number;
  inner: number;
  /** Shape of the per-position scale tensor that broadcasts over the term (leading 1s dropped). */
  scaleShape: number[];
  /** Axes not in groupAxes. */
  reduceAxes: number[];
}

/** Checks one term against numGroups and returns its geometry. */
export function termGeometry(
  fn: string,
  term: TensorLayoutTerm,
  index: number,
  numGroups: number,
): TermGeometry {
  const where = `${fn}: terms[${index}]`;
  if (term === null || typeof term !== 'object') {
    throw new TypeError(`${where} must be { tensor, groupAxes, groupIds }; received ${describeValue(term)}.`);
  }
  const x = term.tensor as unknown;
  if (x === null || typeof x !== 'object' || !Array.isArray((x as tf.Tensor).shape) || !('dataId' in x)) {
    throw new TypeError(
      `${where}.tensor must be a tf.Tensor; received ${describeValue(x)}. Fix: pass the weight tensor (e.g. layer.kernel.read()).`,
    );
  }
  const t = x as tf.Tensor;
  if (t.isDisposed) {
    throw new Error(`${where}.tensor is disposed. Fix: pass a live tensor (read the variable again).`);
  }
  if (t.dtype !== 'float32') {
    throw new TypeError(
      `${where}.tensor must be float32; received dtype ${t.dtype}. Fix: tf.cast it to 'float32'.`,
    );
  }
  const rank = t.shape.length;
  const axes = term.groupAxes;
  if (!Array.isArray(axes)) {
    throw new TypeError(
      `${where}.groupAxes must be an array of axes; received ${describeValue(axes)}. Fix: e.g. [3] for Conv2D filters.`,
    );
  }
  for (let i = 0; i < axes.length; i++) {
    const ax = axes[i];
    if (
      !Number.isInteger(ax) ||
      (ax as number) < 0 ||
      (ax as number) >= rank ||
      (i > 0 && (ax as number) <= (axes[i - 1] as number))
    ) {
      throw new RangeError(
        `${where}.groupAxes must be distinct ascending integers in [0, ${rank}) for a tensor of shape [${t.shape}]; ` +
          `received [${axes}]. Fix: e.g. [${rank - 1}] for groups along the last axis, [] for the whole tensor.`,
      );
    }
  }
  let positions = 1;
  for (const ax of axes) positions *= t.shape[ax] as number;
  const ids = term.groupIds;
  if (!(ids instanceof Int32Array)) {
    throw new TypeError(
      `${where}.groupIds must be an Int32Array; received ${describeValue(ids)}. Fix: Int32Array.from(ids).`,
    );
  }
  if (ids.length !== positions) {
    throw new RangeError(
      `${where}.groupIds must have one entry per position of groupAxes [${axes}] of shape [${t.shape}] (${positions}); ` +
        `received length ${ids.length}. Fix: one group id (or -1) per position, row-major.`,
    );
  }
  for (let p = 0; p < positions; p++) {
    const g = ids[p] as number;
    if (g < -1 || g >= numGroups) {
      throw new RangeError(
        `${where}.groupIds[${p}] must be -1 or a group index in [0, ${numGroups}); received ${g}. ` +
          "Fix: raise 'numGroups' or correct the id.",
      );
    }
  }
  const size = t.size;
  const perPosition = positions === 0 ? 0 : size / positions;
  let contiguous = true;
  for (let i = 1; i < axes.length; i++)
    if ((axes[i] as number) !== (axes[i - 1] as number) + 1) contiguous = false;
  let outer = 1;
  let inner = 1;
  if (axes.length > 0) {
    for (let i = 0; i < (axes[0] as number); i++) outer *= t.shape[i] as number;
    for (let i = (axes[axes.length - 1] as number) + 1; i < rank; i++) inner *= t.shape[i] as number;
  } else {
    inner = size;
  }
  const first = axes.length > 0 ? (axes[0] as number) : rank;
  const scaleShape = t.shape.slice(first).map((d, i) => (axes.includes(i + first) ? d : 1));
  const reduceAxes: number[] = [];
  for (let i = 0; i < rank; i++) if (!axes.includes(i)) reduceAxes.push(i);
  return { positions, perPosition, contiguous, outer, inner, scaleShape, reduceAxes };
}

/** Checks numGroups is an integer >= 0. */
export function checkNumGroups(fn: string, numGroups: unknown): number {
  if (typeof numGroups !== 'number' || !Number.isInteger(numGroups) || numGroups < 0) {
    throw new RangeError(
      `${fn}: 'numGroups' must be an integer >= 0 (the number of groups the ids refer to); received ${describeValue(numGroups)}. ` +
        'Fix: pass max(groupIds) + 1 (or partition.groups.length).',
    );
  }
  return numGroups;
}

/** Largest divisor of g that is <= cap. */
function largestDivisorAtMost(g: number, cap: number): number {
  if (g <= cap) return g;
  for (let c = cap; c > 1; c--) if (g % c === 0) return c;
  return 1;
}

/**
 * Channel cap for the wasm average-pool reduction. Measured with tfjs-backend-wasm 4.22.0: AvgPool over a
 * window of >= 8 positions with >= 16384 channels fails with "memory access out of bounds"; 8192 channels
 * are safe for windows up to 4608 (tested). Wider group axes are folded into the pooled tensor's width.
 */
const WASM_POOL_CHANNELS = 8192;
const WASM_POOL_MAX_WINDOW = 65536;

/**
 * Sum over the leading axis of a [rows, cols] tensor, as a 1-D tensor of length cols times `factor`
 * (the caller multiplies by it on the host). No transpose: on wasm an XNNPACK average pool over a
 * [rows, 1] window (SIMD across the columns, one read of the data; returns the mean, factor = rows);
 * elsewhere a ones-vector matmul.
 */
function sumLeadingAxis(y: tf.Tensor, rows: number, cols: number): { sums: tf.Tensor; factor: number } {
  if (tf.getBackend() === 'wasm' && rows <= WASM_POOL_MAX_WINDOW) {
    const c = largestDivisorAtMost(cols, WASM_POOL_CHANNELS);
    if (c >= Math.min(cols, 64)) {
      const x4 = tf.reshape(y, [1, rows, cols / c, c]) as tf.Tensor4D;
      return { sums: tf.reshape(tf.avgPool(x4, [rows, 1], 1, 'valid'), [cols]), factor: rows };
    }
  }
  const ones = tf.ones([1, rows]) as tf.Tensor2D;
  return { sums: tf.reshape(tf.matMul(ones, tf.reshape(y, [rows, cols]) as tf.Tensor2D), [cols]), factor: 1 };
}

/**
 * Per-position squared norms of one term, as a 1-D tensor of length P (times `factor`), without
 * transposes where the group axes are one contiguous block: square, view as [outer, P, inner], sum the
 * innermost axis, then sum the outer axis with {@link sumLeadingAxis}.
 */
function positionSquaredNorms(x: tf.Tensor, g: TermGeometry): { sums: tf.Tensor; factor: number } {
  return tf.tidy(() => {
    const sq = tf.square(x);
    if (g.positions === x.size) return { sums: tf.reshape(sq, [g.positions]), factor: 1 };
    if (!g.contiguous) return { sums: tf.reshape(tf.sum(sq, g.reduceAxes), [g.positions]), factor: 1 };
    let y: tf.Tensor = tf.reshape(sq, [g.outer * g.positions, g.inner]);
    if (g.inner > 1) y = tf.sum(y, 1);
    if (g.outer === 1) return { sums: tf.reshape(y, [g.positions]), factor: 1 };
    return sumLeadingAxis(y, g.outer, g.positions);
  });
}

/**
 * Squared Euclidean norm of every group, computed on the device: per term one reduction to a small
 * vector (one entry per position), downloaded with `await data()` and accumulated in float64 on the host.
 * The weights themselves never leave the device.
 * @param terms the layout (tensors, group axes, group ids)
 * @param numGroups number of groups m (ids are in [0, m))
 * @returns Float64Array of m squared norms
 * @example
 * // Dense kernel [in, out], one group per unit (axis 1):
 * const sq = await groupSquaredNorms([{ tensor: kernel, groupAxes: [1], groupIds: Int32Array.from({ length: out }, (_, i) => i) }], out);
 */
export async function groupSquaredNorms(terms: TensorLayoutTerm[], numGroups: number): Promise<Float64Array> {
  const fn = 'groupSquaredNorms';
  const m = checkNumGroups(fn, numGroups);
  if (!Array.isArray(terms)) {
    throw new TypeError(
      `${fn}: 'terms' must be an array of { tensor, groupAxes, groupIds }; received ${describeValue(terms)}.`,
    );
  }
  const geos = terms.map((t, i) => termGeometry(fn, t, i, m));
  return squaredNormsUnchecked(terms, geos, m);
}

/** groupSquaredNorms after validation (shared with the prox functions). */
export async function squaredNormsUnchecked(
  terms: TensorLayoutTerm[],
  geos: TermGeometry[],
  m: number,
): Promise<Float64Array> {
  const reduced: Array<{ sums: tf.Tensor; factor: number }> = [];
  let values: Array<tf.TypedArray | string[] | Uint8Array[]>;
  try {
    for (let i = 0; i < terms.length; i++) {
      reduced.push(positionSquaredNorms((terms[i] as TensorLayoutTerm).tensor, geos[i] as TermGeometry));
    }
    values = await Promise.all(reduced.map((r) => r.sums.data()));
  } finally {
    for (const r of reduced) r.sums.dispose();
  }
  const out = new Float64Array(m);
  terms.forEach((term, i) => {
    const v = values[i] as Float32Array;
    const f = (reduced[i] as { factor: number }).factor;
    const ids = term.groupIds;
    for (let p = 0; p < ids.length; p++) {
      const g = ids[p] as number;
      if (g >= 0) out[g] = (out[g] as number) + f * (v[p] as number);
    }
  });
  return out;
}

/** Number of scalars per group (the default weight is its square root). */
export function layoutGroupSizesUnchecked(
  terms: TensorLayoutTerm[],
  geos: TermGeometry[],
  m: number,
): Float64Array {
  const sizes = new Float64Array(m);
  terms.forEach((term, i) => {
    const per = (geos[i] as TermGeometry).perPosition;
    const ids = term.groupIds;
    for (let p = 0; p < ids.length; p++) {
      const g = ids[p] as number;
      if (g >= 0) sizes[g] = (sizes[g] as number) + per;
    }
  });
  return sizes;
}

/**
 * Number of scalars in each group of a tensor layout (its default weight is the square root).
 * @example layoutGroupSizes([{ tensor: kernel3x3x8x16, groupAxes: [3], groupIds }], 16) // 72 each
 */
export function layoutGroupSizes(terms: TensorLayoutTerm[], numGroups: number): Float64Array {
  const fn = 'layoutGroupSizes';
  const m = checkNumGroups(fn, numGroups);
  if (!Array.isArray(terms)) {
    throw new TypeError(
      `${fn}: 'terms' must be an array of { tensor, groupAxes, groupIds }; received ${describeValue(terms)}.`,
    );
  }
  const geos = terms.map((t, i) => termGeometry(fn, t, i, m));
  return layoutGroupSizesUnchecked(terms, geos, m);
}
