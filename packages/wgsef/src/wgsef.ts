/**
 * WGSEF, the weighted group sparse envelope function, on a host vector with contiguous groups:
 * `WGSEF_k(x) = SEF_k(b)` with `b_j = w_j ||x_{G_j}||`; its value, gradient and proximal operator.
 *
 * reference: Refael, Arbel, Huleihel, "Learning k-Level Structured Sparse Neural Networks Using Group
 * Envelope Regularization", TMLR 2024; docs/concepts/wgsef-math.md#wgsef.
 */
import { checkGroupedInput, segmentNormsUnchecked, scaleGroupsHost } from './group-norms';
import type { RootMethod } from './root-finding';
import { sefSplitUnchecked } from './sef';
import { checkK, checkLambda, checkMethod, checkOptions } from './validate';
import { DEFAULT_ROOT_METHOD, weightedSefProxUnchecked } from './weighted-sef-prox';
import { wgsefGradientFactors } from './wgsef-factors';

/** Options of {@link wgsefValue} and {@link wgsefGradient}. */
export interface WgsefValueOptions {
  /** Number of groups to keep (integer >= 1; k >= number of groups is allowed). */
  k: number;
  /** Positive group weights, one per group. Default `sqrt(group size)`; pass all ones for unweighted. */
  weights?: ArrayLike<number>;
}

/** Options of {@link wgsefProx}. */
export interface WgsefProxOptions extends WgsefValueOptions {
  /** Penalty weight lambda >= 0 (in prox-SGD: learning rate times lambda). */
  lambda: number;
  /** Root-finding strategy for the group-norm prox (default {@link DEFAULT_ROOT_METHOD}). */
  method?: RootMethod;
}

/**
 * `WGSEF_k(v) = SEF_k(b)`, `b_j = w_j ||v_{G_j}||`, with groups the contiguous ranges
 * `[groupOffsets[j], groupOffsets[j+1])`. O(n + m log m).
 * @param v parameters (number[], Float32Array or Float64Array; finite)
 * @param groupOffsets integers, first 0, last v.length, non-decreasing (m + 1 entries for m groups)
 * @param options k (integer >= 1), weights (default sqrt(group size))
 * @example wgsefValue([3, 4, 1, 0], [0, 2, 4], { k: 1, weights: [1, 1] }) // 1/2 (5 + 1)^2 = 18
 */
export function wgsefValue(
  v: ArrayLike<number>,
  groupOffsets: ArrayLike<number>,
  options: WgsefValueOptions,
): number {
  const fn = 'wgsefValue';
  const o = checkOptions(fn, options, '{ k: 2 }');
  const k = checkK(fn, o.k);
  const g = checkGroupedInput(fn, v, groupOffsets, o.weights);
  const b = segmentNormsUnchecked(g.v, g.offsets);
  for (let j = 0; j < g.m; j++) b[j] = (b[j] as number) * (g.weights[j] as number);
  return sefSplitUnchecked(b, k).value;
}

/**
 * Proximal operator `argmin_x 1/2 ||x - v||^2 + lambda WGSEF_k(x)`: computes the group norms, runs the
 * weighted SEF prox on them ({@link weightedSefProx}) and rescales each group, `x_{G_j} = (t_j / a_j) v_{G_j}`
 * (0 for zero groups). Head groups are ridge-shrunk, middle groups group-soft-thresholded, tail groups
 * zeroed; if more than k groups are nonzero on input, at least k stay nonzero. Float64 throughout.
 * @param v parameters (finite)
 * @param groupOffsets integers, first 0, last v.length, non-decreasing
 * @param options k (integer >= 1), lambda (>= 0), weights (default sqrt(group size)), method
 * @returns a new Float64Array (v is not modified)
 * @example wgsefProx([3, 0, 2, 0, 0.5, 0], [0, 2, 4, 6], { k: 1, lambda: 0.5, weights: [1, 1, 1] })
 * // Float64Array [1.75, 0, 0.75, 0, 0, 0]
 */
export function wgsefProx(
  v: ArrayLike<number>,
  groupOffsets: ArrayLike<number>,
  options: WgsefProxOptions,
): Float64Array {
  const fn = 'wgsefProx';
  const o = checkOptions(fn, options, '{ k: 2, lambda: 0.01 }');
  const k = checkK(fn, o.k);
  const lambda = checkLambda(fn, o.lambda);
  const method = checkMethod(fn, o.method) ?? DEFAULT_ROOT_METHOD;
  const g = checkGroupedInput(fn, v, groupOffsets, o.weights);
  const a = segmentNormsUnchecked(g.v, g.offsets);
  const t = weightedSefProxUnchecked(a, { k, lambda, weights: g.weights, method });
  for (let j = 0; j < g.m; j++) {
    const aj = a[j] as number;
    t[j] = aj > 0 ? (t[j] as number) / aj : 0;
  }
  return scaleGroupsHost(g.v, g.offsets, t);
}

/**
 * Gradient of WGSEF_k at v (where differentiable; elsewhere the subgradient below): with the SEF split
 * of `b = w ⊙ a` (head = the groups with `b_j > beta`), head groups get `w_j^2 v_{G_j}` (weight decay),
 * tail groups `w_j beta v_{G_j} / ||v_{G_j}||` (a group-lasso pull of common strength beta), zero groups 0.
 * If at most k groups are nonzero every group is in the head.
 * @example wgsefGradient([3, 4, 1, 0], [0, 2, 4], { k: 1, weights: [1, 1] }) // [3.6, 4.8, 6, 0]
 */
export function wgsefGradient(
  v: ArrayLike<number>,
  groupOffsets: ArrayLike<number>,
  options: WgsefValueOptions,
): Float64Array {
  const fn = 'wgsefGradient';
  const o = checkOptions(fn, options, '{ k: 2 }');
  const k = checkK(fn, o.k);
  const g = checkGroupedInput(fn, v, groupOffsets, o.weights);
  const a = segmentNormsUnchecked(g.v, g.offsets);
  const scale = wgsefGradientFactors(a, g.weights, k);
  return scaleGroupsHost(g.v, g.offsets, scale);
}
