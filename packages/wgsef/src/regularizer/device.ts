/**
 * Thin tfjs adapters over LayoutTerms that the regularizers, the prox callback and HSPG share:
 * per-group sums of elementwise products (norms, inner products) with ONE download of the m results,
 * and per-group scaling on the device. Positions whose group id is -1 are left unchanged by scaling.
 */
import type { LayoutTerm } from '@klevel/groups';
import * as tf from '@tensorflow/tfjs-core';

/** Axes of a term's tensor that are summed over (every axis not in `groupAxes`). */
export function reducedAxes(term: LayoutTerm): number[] {
  return term.shape.map((_, i) => i).filter((i) => !term.groupAxes.includes(i));
}

/** Shape that broadcasts one value per group position against the term's tensor. */
export function positionShape(term: LayoutTerm): number[] {
  return term.shape.map((d, i) => (term.groupAxes.includes(i) ? d : 1));
}

/**
 * Per-group sums of `a_t * b_t` over every term t, for several pairs at once, downloaded together.
 * `pairs[p][t]` gives the two tensors (shaped like term t) of pair p. Returns one Float64Array (length m)
 * per pair. For squared group norms pass the same tensor twice.
 */
export function groupProductSums(
  terms: readonly LayoutTerm[],
  numGroups: number,
  pairs: ReadonlyArray<ReadonlyArray<readonly [tf.Tensor, tf.Tensor]>>,
): Float64Array[] {
  const out = pairs.map(() => new Float64Array(numGroups));
  if (terms.length === 0 || pairs.length === 0) return out;
  const summed = tf.tidy(() => {
    const parts: tf.Tensor[] = [];
    for (const pair of pairs) {
      terms.forEach((term, t) => {
        const [a, b] = pair[t] as readonly [tf.Tensor, tf.Tensor];
        const prod = a === b ? tf.square(a) : tf.mul(a, b);
        const axes = reducedAxes(term);
        parts.push(tf.reshape(axes.length > 0 ? tf.sum(prod, axes) : prod, [-1]));
      });
    }
    return parts.length === 1 ? (parts[0] as tf.Tensor) : tf.concat(parts);
  });
  const flat = summed.dataSync() as Float32Array;
  summed.dispose();
  let offset = 0;
  for (const sums of out) {
    for (const term of terms) {
      const ids = term.groupIds;
      for (let i = 0; i < ids.length; i++) {
        const g = ids[i] as number;
        if (g >= 0) sums[g] = (sums[g] as number) + (flat[offset + i] as number);
      }
      offset += ids.length;
    }
  }
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

/** The per-position factors of one term: `scales[groupIds[i]]`, or `unassigned` where the id is -1. */
export function positionFactors(term: LayoutTerm, scales: ArrayLike<number>, unassigned = 1): tf.Tensor {
  const f = new Float32Array(term.groupIds.length);
  for (let i = 0; i < f.length; i++) {
    const g = term.groupIds[i] as number;
    f[i] = g >= 0 ? (scales[g] as number) : unassigned;
  }
  return tf.tensor(f, positionShape(term));
}

/** `x * scales[group]` elementwise for one term (a new tensor; -1 positions get `unassigned`). */
export function scaleTerm(
  term: LayoutTerm,
  x: tf.Tensor,
  scales: ArrayLike<number>,
  unassigned = 1,
): tf.Tensor {
  return tf.tidy(() => tf.mul(x, positionFactors(term, scales, unassigned)));
}

/** True when every group scale is exactly 1 (nothing to write). */
export function allOnes(scales: ArrayLike<number>): boolean {
  for (let i = 0; i < scales.length; i++) if (scales[i] !== 1) return false;
  return true;
}
