/**
 * The weighted SEF prox on a vector of group norms: the O(m) heart of the WGSEF prox.
 *
 * reference: Refael, Arbel, Huleihel, "Learning k-Level Structured Sparse Neural Networks Using Group
 * Envelope Regularization", TMLR 2024; docs/concepts/wgsef-math.md#the-prox-on-group-norms.
 */
import { type Breakpoints, groupBreakpoints } from './breakpoints';
import { type Bracket, bracketBySelect, bracketBySort, type RootMethod } from './root-finding';
import { checkK, checkLambda, checkMethod, checkNorms, checkOptions, checkWeights } from './validate';

/** The strategy used when `method` is omitted (the faster one in packages/wgsef/bench/wgsef.bench.mjs). */
export const DEFAULT_ROOT_METHOD: RootMethod = 'select';

/** Options of {@link weightedSefProx}. */
export interface WeightedSefProxOptions {
  /** Number of groups the penalty wants to keep (integer >= 1; k >= m is allowed). */
  k: number;
  /** Penalty weight lambda >= 0 (in prox-SGD: learning rate times lambda). */
  lambda: number;
  /** Positive group weights w_j, one per norm (e.g. sqrt(group size)). */
  weights: ArrayLike<number>;
  /** Root-finding strategy; default {@link DEFAULT_ROOT_METHOD}. */
  method?: RootMethod;
}

/** {@link WeightedSefProxOptions} after validation. */
export interface CheckedProxOptions {
  k: number;
  lambda: number;
  weights: ArrayLike<number>;
  method: RootMethod;
}

/** Where a group lands on the bracket (docs/concepts/wgsef-math.md#three-regimes). */
const Regime = { leftOut: 0, head: 1, middle: 2, tail: 3, step: 4 } as const;
type Regime = (typeof Regime)[keyof typeof Regime];

/**
 * The regime of a group on the bracket (no breakpoint lies strictly inside it): head if theta = 1 across
 * it, tail if theta = 0, middle if theta rises linearly across it. A step is a group whose two
 * breakpoints coincide at the lower end: lambda w^2 beyond 2^53 makes its ramp narrower than float64
 * resolution, so theta jumps from 0 to 1 there.
 */
function regimeOf(lo: number, hi: number, wa: number, bracket: Bracket): Regime {
  if (wa === 0) return Regime.leftOut;
  if (hi < bracket.lower) return Regime.head;
  if (hi === bracket.lower) return lo === hi ? Regime.step : Regime.head;
  if (lo >= bracket.upper) return Regime.tail;
  return Regime.middle;
}

/** t = a / (1 + lambda w^2) for every group: the prox when at most k groups are nonzero. */
function ridgeShrink(
  a: ArrayLike<number>,
  w: ArrayLike<number>,
  lambda: number,
  out: Float64Array,
): Float64Array {
  for (let j = 0; j < a.length; j++) {
    const wj = w[j] as number;
    out[j] = (a[j] as number) / (1 + lambda * wj * wj);
  }
  return out;
}

/** The same for the groups not left out (0 for the others). */
function ridgeShrinkKept(
  a: ArrayLike<number>,
  w: ArrayLike<number>,
  lambda: number,
  bp: Breakpoints,
  out: Float64Array,
): Float64Array {
  ridgeShrink(a, w, lambda, out);
  for (let j = 0; j < a.length; j++) if (bp.wa[j] === 0) out[j] = 0;
  return out;
}

/** Number of nonzero norms and the largest. */
function normStats(a: ArrayLike<number>): { nonzero: number; max: number } {
  let nonzero = 0;
  let max = 0;
  for (let j = 0; j < a.length; j++) {
    const x = a[j] as number;
    if (x > 0) nonzero++;
    if (x > max) max = x;
  }
  return { nonzero, max };
}

/**
 * Solves Phi(c) = k on the bracket and writes the new norms. On the bracket Phi is linear,
 * Phi(c) = heads + steps + c * sum_middle(w a) - lambda * sum_middle(w^2), so c follows in closed form;
 * then head groups are ridge-shrunk, middle groups soft-thresholded by tau w (tau = lambda / c), tail
 * groups set to 0. If Phi passes k inside the jump of the step groups (c at the lower end), they share
 * what the other groups leave of k. Everything is in the scaled units of the breakpoints (norms times
 * bp.scale, a power of two).
 */
function writeRegimes(
  a: ArrayLike<number>,
  w: ArrayLike<number>,
  k: number,
  lambda: number,
  bp: Breakpoints,
  bracket: Bracket,
  out: Float64Array,
): Float64Array {
  const m = a.length;
  const regimes = new Uint8Array(m);
  let heads = 0;
  let steps = 0;
  let middleSlope = 0;
  let middleRidge = 0;
  for (let j = 0; j < m; j++) {
    const regime = regimeOf(bp.lo[j] as number, bp.hi[j] as number, bp.wa[j] as number, bracket);
    regimes[j] = regime;
    if (regime === Regime.head) heads++;
    if (regime === Regime.step) steps++;
    if (regime === Regime.middle) {
      const wj = w[j] as number;
      middleSlope += bp.wa[j] as number;
      middleRidge += wj * wj;
    }
  }
  // The root (clamped against rounding); where no group is middle, t does not depend on c.
  let c = bracket.lower;
  if (middleSlope > 0) c = (k - heads - steps + lambda * middleRidge) / middleSlope;
  c = Math.min(bracket.upper, Math.max(bracket.lower, c));
  const tau = lambda / c;
  // theta of each step group: all of it (1) unless k is reached inside their jump.
  const leftForSteps = k - heads - (c * middleSlope - lambda * middleRidge);
  const stepTheta = steps > 0 ? Math.min(1, Math.max(0, leftForSteps / steps)) : 1;
  const s = bp.scale;
  for (let j = 0; j < m; j++) {
    const aj = a[j] as number;
    const wj = w[j] as number;
    const ridge = lambda * wj * wj;
    const regime = regimes[j];
    if (regime === Regime.head) out[j] = aj / (1 + ridge);
    else if (regime === Regime.middle) out[j] = softThreshold(aj, wj, s, tau, ridge);
    else if (regime === Regime.step) out[j] = (aj * stepTheta) / (stepTheta + ridge);
    else out[j] = 0;
  }
  return out;
}

/**
 * A middle group's new norm, a - tau w (in scaled units), never above the ridge value a / (1 + lambda w^2)
 * (theta <= 1). Near the group's tail breakpoint the subtraction cancels: a result within its rounding
 * error (a few ulps of a) is exactly 0, which keeps a group that meets the gap condition with equality
 * at 0 (docs/concepts/wgsef-math.md#numerical-notes).
 */
function softThreshold(a: number, w: number, scale: number, tau: number, ridge: number): number {
  const x = a * scale;
  const d = x - tau * w;
  if (d <= 8 * Number.EPSILON * x) return 0;
  return Math.min(a / (1 + ridge), d / scale);
}

/**
 * Unchecked core: writes t = prox(a) into `out` and returns it. Inputs already validated; `weights` has
 * length m. Used by the tensor path and the regularizers.
 *
 * One pass for the count and the largest norm, one for the breakpoints, the root search (linear with
 * 'select'), and two passes to classify the groups and write the result.
 */
export function weightedSefProxUnchecked(
  a: ArrayLike<number>,
  options: CheckedProxOptions,
  out: Float64Array = new Float64Array(a.length),
): Float64Array {
  const { k, lambda, weights: w, method } = options;
  if (lambda === 0) {
    for (let j = 0; j < a.length; j++) out[j] = a[j] as number;
    return out;
  }
  const { nonzero, max } = normStats(a);
  // At most k nonzero groups: all of them are in the head.
  if (nonzero <= k) return ridgeShrink(a, w, lambda, out);
  const bp = groupBreakpoints(a, w, lambda, max);
  if (bp.count <= k) return ridgeShrinkKept(a, w, lambda, bp, out);
  const bracket = method === 'sort' ? bracketBySort(bp, k) : bracketBySelect(bp, k);
  return writeRegimes(a, w, k, lambda, bp, bracket, out);
}

/**
 * Proximal operator of `lambda * SEF_k(w ⊙ t)` on a vector of group norms:
 * `argmin_t 1/2 ||t - a||^2 + lambda * SEF_k(w ⊙ t)` for `a >= 0`, returned as new norms `t`.
 *
 * If at most k groups are nonzero, `t_j = a_j / (1 + lambda w_j^2)`. Otherwise `t_j = a_j theta_j /
 * (theta_j + lambda w_j^2)` with `theta_j = clip(c w_j a_j - lambda w_j^2, 0, 1)` and c > 0 the root of
 * `sum_j theta_j(c) = k`: head groups are ridge-shrunk, middle groups soft-thresholded by
 * `tau w_j` (`tau = lambda / c`), tail groups set to 0. Works in float64; never mutates its input.
 * (Running the unweighted SEF prox on `w ⊙ a` and dividing by w is NOT equivalent; this is the weighted
 * prox proper.)
 *
 * @param norms group norms a_j >= 0 (finite)
 * @param options k (integer >= 1), lambda (>= 0), weights (positive, one per norm), method
 *   ('select' worst-case O(m), 'sort' O(m log m); default {@link DEFAULT_ROOT_METHOD})
 * @returns new group norms t_j (0 <= t_j <= a_j); at least min(k, nnz(a)) of them nonzero
 * @throws RangeError/TypeError on bad k, lambda, weights, norms (NaN, Infinity, negative) or method
 * @example
 * weightedSefProx([3, 2, 0.5], { k: 1, lambda: 0.5, weights: [1, 1, 1] }) // Float64Array [1.75, 0.75, 0]
 * @see wgsefProx for the same prox on a parameter vector
 */
export function weightedSefProx(norms: ArrayLike<number>, options: WeightedSefProxOptions): Float64Array {
  const fn = 'weightedSefProx';
  const o = checkOptions(fn, options, '{ k: 2, lambda: 0.01, weights: [...] }');
  const a = checkNorms(fn, norms);
  return weightedSefProxUnchecked(a, {
    k: checkK(fn, o.k),
    lambda: checkLambda(fn, o.lambda),
    weights: checkWeights(fn, o.weights, a.length),
    method: checkMethod(fn, o.method) ?? DEFAULT_ROOT_METHOD,
  });
}
