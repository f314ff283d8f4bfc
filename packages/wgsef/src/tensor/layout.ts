/**
 * Tensor layouts for the device-side prox, and the group squared norms computed on the device.
 *
 * A term is one weight tensor plus the axes that index groups; reducing the squares over every other
 * axis leaves one squared norm per position of `groupAxes` (row-major), which `groupIds` maps to a group.
 * This is structurally the `LayoutTerm` contract of @klevel/groups with the variable name replaced by the
 * tensor itself, so a group can span several tensors (a filter plus its bias and BN gamma/beta).
 */
import type * as tf from '@tensorflow/tfjs-core';
import { describeValue } from '../validate';
import {
  addPositionSums,
  type PositionSums,
  positionProductSums,
  type TermGeometry,
  termShapeGeometry,
} from './term-ops';

/** One weight tensor of a group layout (compatible with @klevel/groups' `LayoutTerm`). */
export interface TensorLayoutTerm {
  /** The weights (float32). Never read back to JS by this package; only reduced on the device. */
  tensor: tf.Tensor;
  /** Axes that index groups, sorted ascending; [] = the whole tensor is one position. */
  groupAxes: number[];
  /** Group index per position of `groupAxes` (row-major; length = product of their sizes); -1 = none. */
  groupIds: Int32Array;
}

/**
 * Checks one term against numGroups and returns its geometry. With `sizes`, also adds the term's scalars
 * per group to it (the default weights need them; one pass over the ids does both).
 */
export function termGeometry(
  fn: string,
  term: TensorLayoutTerm,
  index: number,
  numGroups: number,
  sizes?: Float64Array,
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
  const per = positions === 0 ? 0 : t.size / positions;
  const base = positions > 0 ? (ids[0] as number) : -1;
  let offRun = 0; // nonzero once an id is not base + p
  for (let p = 0; p < positions; p++) {
    const g = ids[p] as number;
    offRun |= g - base - p;
    if (sizes !== undefined && g >= 0) sizes[g] = (sizes[g] as number) + per;
    if (g < -1 || g >= numGroups) {
      throw new RangeError(
        `${where}.groupIds[${p}] must be -1 or a group index in [0, ${numGroups}); received ${g}. ` +
          "Fix: raise 'numGroups' or correct the id.",
      );
    }
  }
  const geometry = termShapeGeometry(t.shape, axes);
  if (base >= 0 && offRun === 0) geometry.idRunBase = base;
  return geometry;
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
  const out = new Float64Array(m);
  const reduced: PositionSums[] = [];
  let values: Array<tf.TypedArray | string[] | Uint8Array[]>;
  try {
    for (let i = 0; i < terms.length; i++) {
      const term = terms[i] as TensorLayoutTerm;
      reduced.push(positionProductSums(term.tensor, term.tensor, geos[i] as TermGeometry));
    }
    values = await Promise.all(reduced.map((r) => r.sums.data()));
  } finally {
    for (const r of reduced) r.sums.dispose();
  }
  reduced.forEach((r, i) => {
    addPositionSums(out, (terms[i] as TensorLayoutTerm).groupIds, values[i] as Float32Array, r.factor);
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
