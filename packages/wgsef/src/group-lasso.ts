/**
 * Group lasso, the baseline every WGSEF comparison needs: `GL(x) = sum_j w_j ||x_{G_j}||` and its prox,
 * the group soft threshold `x_{G_j} = max(0, 1 - lambda w_j / ||v_{G_j}||) v_{G_j}`.
 *
 * reference: Yuan, Lin, "Model selection and estimation in regression with grouped variables",
 * J. R. Stat. Soc. B 2006.
 */
import { checkGroupedInput, segmentNormsUnchecked, scaleGroupsHost } from './group-norms';
import { checkLambda, checkNorms, checkOptions, checkWeights } from './validate';

/** Options of {@link groupLassoValue}. */
export interface GroupLassoOptions {
  /** Positive group weights, one per group. Default `sqrt(group size)`. */
  weights?: ArrayLike<number>;
}

/** Options of {@link groupLassoProx}. */
export interface GroupLassoProxOptions extends GroupLassoOptions {
  /** Penalty weight lambda >= 0 (in prox-SGD: learning rate times lambda). */
  lambda: number;
}

/** Group soft threshold on norms (unchecked): t_j = max(0, a_j - lambda w_j). */
export function groupLassoNormsProxUnchecked(
  a: ArrayLike<number>,
  w: ArrayLike<number>,
  lambda: number,
  out: Float64Array,
): Float64Array {
  for (let j = 0; j < a.length; j++) {
    const t = (a[j] as number) - lambda * (w[j] as number);
    out[j] = Math.max(0, t);
  }
  return out;
}

/**
 * `sum_j w_j ||v_{G_j}||` over the contiguous groups `[groupOffsets[j], groupOffsets[j+1])`.
 * @param options weights (default sqrt(group size)); may be omitted
 * @example groupLassoValue([3, 4, 1, 0], [0, 2, 4], { weights: [1, 2] }) // 5 + 2 = 7
 */
export function groupLassoValue(
  v: ArrayLike<number>,
  groupOffsets: ArrayLike<number>,
  options: GroupLassoOptions = {},
): number {
  const fn = 'groupLassoValue';
  const o = checkOptions(fn, options, '{ weights: [...] } or nothing');
  const g = checkGroupedInput(fn, v, groupOffsets, o.weights);
  const a = segmentNormsUnchecked(g.v, g.offsets);
  let s = 0;
  for (let j = 0; j < g.m; j++) s += (g.weights[j] as number) * (a[j] as number);
  return s;
}

/**
 * Prox of `lambda * GL`: the group soft threshold. Groups with `||v_G|| <= lambda w_j` become exactly 0,
 * the others shrink by `lambda w_j` in norm. Returns a new Float64Array.
 * @example groupLassoProx([3, 4, 1, 0], [0, 2, 4], { lambda: 2, weights: [1, 1] }) // [1.8, 2.4, 0, 0]
 */
export function groupLassoProx(
  v: ArrayLike<number>,
  groupOffsets: ArrayLike<number>,
  options: GroupLassoProxOptions,
): Float64Array {
  const fn = 'groupLassoProx';
  const o = checkOptions(fn, options, '{ lambda: 0.01 }');
  const lambda = checkLambda(fn, o.lambda);
  const g = checkGroupedInput(fn, v, groupOffsets, o.weights);
  const a = segmentNormsUnchecked(g.v, g.offsets);
  const scale = groupLassoNormsProxUnchecked(a, g.weights, lambda, new Float64Array(g.m));
  for (let j = 0; j < g.m; j++) {
    const aj = a[j] as number;
    scale[j] = aj > 0 ? (scale[j] as number) / aj : 0;
  }
  return scaleGroupsHost(g.v, g.offsets, scale);
}

/**
 * The group-lasso prox on a vector of group norms: `t_j = max(0, a_j - lambda w_j)` (new norms).
 * @param norms group norms a_j >= 0
 * @param options lambda (>= 0), weights (positive, one per norm)
 * @example groupLassoNormsProx([5, 1], { lambda: 2, weights: [1, 1] }) // Float64Array [3, 0]
 */
export function groupLassoNormsProx(
  norms: ArrayLike<number>,
  options: { lambda: number; weights: ArrayLike<number> },
): Float64Array {
  const fn = 'groupLassoNormsProx';
  const o = checkOptions(fn, options, '{ lambda: 0.01, weights: [...] }');
  const a = checkNorms(fn, norms);
  const lambda = checkLambda(fn, o.lambda);
  const w = checkWeights(fn, o.weights, a.length);
  return groupLassoNormsProxUnchecked(a, w, lambda, new Float64Array(a.length));
}
