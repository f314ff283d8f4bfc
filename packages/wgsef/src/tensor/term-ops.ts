/**
 * The device-side work on one layout term, in one place: the per-position reduction of a term (squared
 * norms, sums of elementwise products) and the per-position broadcast scaling of a term.
 *
 * A term is a tensor plus the axes that index groups (`groupAxes`) and a group id per position of those
 * axes (row-major, -1 = no group). Both the public tensor path (`groupSquaredNorms`, `scaleGroups`, the
 * `*ProxTensors` functions, async) and the model path (`groupProductSums`, `scaleTerm`, sync, used by the
 * regularizers and by @klevel/hspg) run on these helpers; they differ only in validation and in how the
 * reduced vectors are downloaded (`await data()` vs one `dataSync()`).
 */
import * as tf from '@tensorflow/tfjs-core';

/** Geometry of a term: positions P and the contiguous-block split [outer, positions, inner]. */
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
  /**
   * Set when the term's ids are one run `idRunBase + p` for every position p (checked on this call's
   * ids by the validating caller): the per-group bookkeeping is then a slice copy instead of a gather.
   */
  idRunBase?: number;
}

/**
 * Geometry of a term of the given shape whose groups are indexed by `groupAxes` (distinct, ascending,
 * in range: the callers validate or trust the @klevel/groups contract).
 */
export function termShapeGeometry(shape: readonly number[], groupAxes: readonly number[]): TermGeometry {
  const rank = shape.length;
  let size = 1;
  for (const d of shape) size *= d;
  let positions = 1;
  for (const ax of groupAxes) positions *= shape[ax] as number;
  const perPosition = positions === 0 ? 0 : size / positions;
  let contiguous = true;
  for (let i = 1; i < groupAxes.length; i++)
    if ((groupAxes[i] as number) !== (groupAxes[i - 1] as number) + 1) contiguous = false;
  let outer = 1;
  let inner = 1;
  if (groupAxes.length > 0) {
    for (let i = 0; i < (groupAxes[0] as number); i++) outer *= shape[i] as number;
    for (let i = (groupAxes[groupAxes.length - 1] as number) + 1; i < rank; i++) inner *= shape[i] as number;
  } else {
    inner = size;
  }
  const first = groupAxes.length > 0 ? (groupAxes[0] as number) : rank;
  const scaleShape = shape.slice(first).map((d, i) => (groupAxes.includes(i + first) ? d : 1));
  const reduceAxes: number[] = [];
  for (let i = 0; i < rank; i++) if (!groupAxes.includes(i)) reduceAxes.push(i);
  return { positions, perPosition, contiguous, outer, inner, scaleShape, reduceAxes };
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
 * are safe for windows up to 4608 (tested). Wider group axes are folded into the pooled tensor's width
 * (docs/concepts/tfjs-platform.md#summing-a-term-without-transposing-it).
 */
const WASM_POOL_CHANNELS = 8192;
const WASM_POOL_MAX_WINDOW = 65536;

/** Per-position sums of a term, as a 1-D tensor of length P; the true sums are `factor * sums`. */
export type PositionSums = {
  sums: tf.Tensor;
  /** Host-side multiplier (the wasm average pool returns means). */
  factor: number;
};

/**
 * Sum over the leading axis of a [rows, cols] tensor, as a 1-D tensor of length cols times `factor`
 * (the caller multiplies by it on the host). No transpose: on wasm an XNNPACK average pool over a
 * [rows, 1] window (SIMD across the columns, one read of the data; returns the mean, factor = rows);
 * elsewhere a ones-vector matmul.
 */
function sumLeadingAxis(y: tf.Tensor, rows: number, cols: number): PositionSums {
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
 * Sums `values` (shaped like the term) over every axis not in `groupAxes`: one entry per position. Without
 * transposes where the group axes are one contiguous block: view as [outer, P, inner], sum the innermost
 * axis, then sum the outer axis with {@link sumLeadingAxis}. Must run inside a tidy (intermediates are
 * not disposed here).
 */
function reducePositions(values: tf.Tensor, g: TermGeometry): PositionSums {
  if (g.positions === values.size) return { sums: tf.reshape(values, [g.positions]), factor: 1 };
  if (!g.contiguous) return { sums: tf.reshape(tf.sum(values, g.reduceAxes), [g.positions]), factor: 1 };
  let y: tf.Tensor = tf.reshape(values, [g.outer * g.positions, g.inner]);
  if (g.inner > 1) y = tf.sum(y, 1);
  if (g.outer === 1) return { sums: tf.reshape(y, [g.positions]), factor: 1 };
  return sumLeadingAxis(y, g.outer, g.positions);
}

/**
 * Per-position sums of `a * b` over one term (squares when `a === b`), reduced on the device. The caller
 * downloads `sums` and multiplies by `factor` (see {@link addPositionSums}); it owns (disposes) `sums`.
 */
export function positionProductSums(a: tf.Tensor, b: tf.Tensor, g: TermGeometry): PositionSums {
  return tf.tidy(() => reducePositions(a === b ? tf.square(a) : tf.mul(a, b), g));
}

/**
 * Host side of a reduction: adds `factor * values[offset + p]` to `out[groupIds[p]]` for every position p
 * whose id is not -1 (accumulation in float64).
 */
export function addPositionSums(
  out: Float64Array,
  groupIds: ArrayLike<number>,
  values: ArrayLike<number>,
  factor: number,
  offset = 0,
): void {
  for (let p = 0; p < groupIds.length; p++) {
    const g = groupIds[p] as number;
    if (g >= 0) out[g] = (out[g] as number) + factor * (values[offset + p] as number);
  }
}

/** The per-position factors of one term: `scales[groupIds[p]]`, or `unassigned` where the id is -1. */
export function positionFactors(
  groupIds: ArrayLike<number>,
  scales: ArrayLike<number>,
  unassigned = 1,
): Float32Array {
  const f = new Float32Array(groupIds.length);
  for (let p = 0; p < f.length; p++) {
    const g = groupIds[p] as number;
    f[p] = g >= 0 ? (scales[g] as number) : unassigned;
  }
  return f;
}

/**
 * `x * scales[group]` elementwise for one term, as one broadcast multiply on the device: one small
 * per-position tensor is uploaded, shaped to broadcast over the reduced axes. Positions with id -1 are
 * multiplied by `unassigned`. Returns a new tensor (x is neither modified nor disposed).
 */
export function scalePositions(
  x: tf.Tensor,
  g: TermGeometry,
  groupIds: ArrayLike<number>,
  scales: ArrayLike<number>,
  unassigned = 1,
): tf.Tensor {
  const f = positionFactors(groupIds, scales, unassigned);
  return tf.tidy(() => tf.mul(x, tf.tensor(f, g.scaleShape, 'float32')));
}
