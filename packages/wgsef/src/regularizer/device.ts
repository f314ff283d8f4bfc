/**
 * Thin tfjs adapters over LayoutTerms that the regularizers, the prox callback and HSPG share:
 * per-group sums of elementwise products (norms, inner products) with ONE synchronous download of the
 * reduced vectors, and per-group scaling on the device. Positions whose group id is -1 are left unchanged
 * by scaling. The device work itself (the per-position reduction and broadcast multiply) is the one of
 * the public tensor path, in ../tensor/term-ops.
 */
import type { LayoutTerm } from '@klevel/groups';
import * as tf from '@tensorflow/tfjs-core';
import {
  addPositionSums,
  type PositionSums,
  positionProductSums,
  scalePositions,
  type TermGeometry,
  termShapeGeometry,
} from '../tensor/term-ops';

/** Geometry of a LayoutTerm (recomputed per call, O(rank); terms are plain data that callers may edit). */
function geometryOf(term: LayoutTerm): TermGeometry {
  return termShapeGeometry(term.shape, term.groupAxes);
}

/**
 * Per-group sums of `a_t * b_t` over every term t, for several pairs at once, downloaded together.
 * `pairs[p][t]` gives the two tensors (shaped like term t) of pair p. Returns one Float64Array (length m)
 * per pair. For squared group norms pass the same tensor twice.
 * @param terms the layout terms (from @klevel/groups)
 * @param numGroups number of groups m
 * @param pairs per pair, one `[a, b]` per term
 * @example const [sq, dot] = groupProductSums(terms, m, [xs.map((x) => [x, x]), xs.map((x, t) => [x, gs[t]])]);
 */
export function groupProductSums(
  terms: readonly LayoutTerm[],
  numGroups: number,
  pairs: ReadonlyArray<ReadonlyArray<readonly [tf.Tensor, tf.Tensor]>>,
): Float64Array[] {
  const out = pairs.map(() => new Float64Array(numGroups));
  if (terms.length === 0 || pairs.length === 0) return out;
  // Everything is reduced with tfjs ops and downloaded in one dataSync.
  const geos = terms.map(geometryOf);
  const pendingFactors: number[] = [];
  const pendingAt: Array<{ term: LayoutTerm; pair: number }> = [];
  const summed = tf.tidy(() => {
    const device: tf.Tensor[] = [];
    pairs.forEach((pair, p) => {
      terms.forEach((term, t) => {
        const [a, b] = pair[t] as readonly [tf.Tensor, tf.Tensor];
        const g = geos[t] as TermGeometry;
        const r: PositionSums = positionProductSums(a, b, g);
        device.push(r.sums);
        pendingFactors.push(r.factor);
        pendingAt.push({ term, pair: p });
      });
    });
    if (device.length === 0) return undefined;
    return device.length === 1 ? (device[0] as tf.Tensor) : tf.concat(device);
  });
  if (summed === undefined) return out;
  const flat = summed.dataSync() as Float32Array;
  summed.dispose();
  let offset = 0;
  pendingAt.forEach(({ term, pair }, i) => {
    addPositionSums(out[pair] as Float64Array, term.groupIds, flat, pendingFactors[i] as number, offset);
    offset += term.groupIds.length;
  });
  return out;
}

/** Squared group norms `||x_{G_j}||^2` of the given tensors (one per term), one download. */
export function groupSquaredNormsOf(
  terms: readonly LayoutTerm[],
  numGroups: number,
  tensors: readonly tf.Tensor[],
): Float64Array {
  return groupProductSums(terms, numGroups, [tensors.map((x) => [x, x] as const)])[0] as Float64Array;
}

/**
 * `x * scales[group]` elementwise for one term (a new tensor; positions with id -1 get `unassigned`,
 * default 1), as one broadcast multiply on the device.
 * @param term the layout term x is shaped like
 * @param x the tensor to scale (not modified or disposed)
 * @param scales one factor per group
 * @param unassigned factor of the positions of no group (default 1)
 * @example variable.assign(scaleTerm(term, variable, keep)); // keep[j] in {0, 1}
 */
export function scaleTerm(
  term: LayoutTerm,
  x: tf.Tensor,
  scales: ArrayLike<number>,
  unassigned = 1,
): tf.Tensor {
  return scalePositions(x, geometryOf(term), term.groupIds, scales, unassigned);
}

/** True when every group scale is exactly 1 (nothing to write). */
export function allOnes(scales: ArrayLike<number>): boolean {
  for (let i = 0; i < scales.length; i++) if (scales[i] !== 1) return false;
  return true;
}
