/**
 * Device-side rescaling of groups: every element of group j is multiplied by scales[j]. Per term, one
 * small per-position tensor is uploaded, shaped to broadcast over the reduced axes, and one tf.mul runs
 * on the device ({@link scalePositions}, shared with the regularizers' `scaleTerm`).
 */
import type * as tf from '@tensorflow/tfjs-core';
import { describeValue } from '../validate';
import { checkNumGroups, type TensorLayoutTerm, termGeometry } from './layout';
import { scalePositions, type TermGeometry } from './term-ops';

/** scaleGroups after validation: positions with id -1 keep scale 1. */
export function scaleGroupsUnchecked(
  terms: TensorLayoutTerm[],
  geos: TermGeometry[],
  scales: ArrayLike<number>,
): tf.Tensor[] {
  return terms.map((term, i) => scalePositions(term.tensor, geos[i] as TermGeometry, term.groupIds, scales));
}

/**
 * Multiplies every group by its scale on the device: `x_{G_j} <- scales[j] * x_{G_j}` (positions with
 * group id -1 are unchanged). Returns NEW tensors, one per term, in term order; the caller assigns them
 * (e.g. `variable.assign(out)`) and disposes them. The inputs are not modified or disposed.
 * @param terms the layout (tensors, group axes, group ids)
 * @param scales one finite factor per group (length = number of groups)
 * @example const [k2] = scaleGroups([{ tensor: kernel, groupAxes: [3], groupIds }], scales);
 */
export function scaleGroups(terms: TensorLayoutTerm[], scales: ArrayLike<number>): tf.Tensor[] {
  const fn = 'scaleGroups';
  if (scales === null || typeof scales !== 'object' || typeof scales.length !== 'number') {
    throw new TypeError(
      `${fn}: 'scales' must be an array-like of numbers (one per group); received ${describeValue(scales)}.`,
    );
  }
  const m = checkNumGroups(fn, scales.length);
  for (let j = 0; j < m; j++) {
    if (typeof scales[j] !== 'number' || !Number.isFinite(scales[j])) {
      throw new RangeError(
        `${fn}: 'scales' must contain finite numbers; received ${describeValue(scales[j])} at index ${j}. Fix: use 0 for zeroed groups.`,
      );
    }
  }
  if (!Array.isArray(terms)) {
    throw new TypeError(
      `${fn}: 'terms' must be an array of { tensor, groupAxes, groupIds }; received ${describeValue(terms)}.`,
    );
  }
  const geos = terms.map((t, i) => termGeometry(fn, t, i, m));
  return scaleGroupsUnchecked(terms, geos, scales);
}
