/**
 * The weighted SEF prox on a vector of group norms: the O(m) heart of the WGSEF prox.
 *
 * reference: Refael, Arbel, Huleihel, "Learning k-Level Structured Sparse Neural Networks Using Group
 * Envelope Regularization", TMLR 2024; shared/docs/wgsef-math.md section 3.
 */
import {
  aimedBracket,
  bracketBySelect,
  bracketBySort,
  type InitialPivots,
  type RetiredSums,
  type RootMethod,
  type SelectBracket,
} from './root-finding';
import { JsSefPasses, type SefPasses } from './sef-passes';
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

/** The largest power of two <= x (x > 0 finite), clamped to [2^-1000, 2^1000]. */
function powerOfTwoBelow(x: number): number {
  const e = Math.max(-1000, Math.min(1000, Math.floor(Math.log2(x))));
  return 2 ** e;
}

/** The passes over the groups (their breakpoint scratch is reused across calls). */
const passes = new JsSefPasses();

/** Counters of the aimed search (for tests): calls that aimed, and aims the root fell outside of. */
export const proxSearchCounters = { aimed: 0, missed: 0 };

/** Ridge shrink of every group with a representable breakpoint (the case of at most k such groups). */
function ridgeAll(a: ArrayLike<number>, w: ArrayLike<number>, lambda: number, s: number, out: Float64Array) {
  const m = a.length;
  for (let j = 0; j < m; j++) {
    out[j] = 0;
    const x = (a[j] as number) * s;
    if (!(x > 0)) continue;
    const wj = w[j] as number;
    const inv = 1 / (wj * x);
    const L = lambda * wj * wj;
    if (Number.isFinite(L * inv) && Number.isFinite((1 + L) * inv)) out[j] = (a[j] as number) / (1 + L);
  }
  return out;
}

/**
 * Unchecked core: writes t = prox(a) into `out`. Inputs already validated; `w` has length m.
 * Exported for the tensor path and the group-norm helpers of other modules.
 *
 * Passes over all m groups: a scan (count and max), the build pass fused with a first retirement
 * against a bracket aimed at the root from a sample (and Phi at its ends), and the final write (plus one
 * pass of sums when step groups exist). The bracketing search in between touches only the groups the
 * build pass kept.
 */
export function weightedSefProxUnchecked(
  a: ArrayLike<number>,
  w: ArrayLike<number>,
  k: number,
  lambda: number,
  method: RootMethod,
  out: Float64Array,
): Float64Array {
  const m = a.length;
  if (lambda === 0) {
    for (let j = 0; j < m; j++) out[j] = a[j] as number;
    return out;
  }
  const P: SefPasses = passes;
  P.load(a, w);
  P.scan();
  const nnz = P.res[0] as number;
  const maxA = P.res[1] as number;
  if (nnz <= k) {
    // At most k nonzero groups: every one is in the head (theta = 1), a pure ridge shrink.
    for (let j = 0; j < m; j++) {
      const wj = w[j] as number;
      out[j] = (a[j] as number) / (1 + lambda * wj * wj);
    }
    return out;
  }
  // The prox is positively homogeneous: solve for a * s with s a power of two (exact) so that the
  // breakpoints lambda w / a and (1 + lambda w^2) / (w a) stay finite for tiny norms.
  const s = 1 / powerOfTwoBelow(maxA);
  const aim = new Float64Array(2);
  const aimed = method === 'select' && aimedBracket(a, w, lambda, s, nnz, k, aim);
  const p1 = aimed ? (aim[0] as number) : 0;
  const p2 = aimed ? (aim[1] as number) : Number.POSITIVE_INFINITY;
  P.buildAndRetire(lambda, s, p1, p2);
  const n = P.res[0] as number;
  const kept = P.res[1] as number;
  const hasStep = (P.res[5] as number) > 0;
  if (n <= k) return ridgeAll(a, w, lambda, s, out);
  const retired: RetiredSums = { head: P.res[2] as number, wa: P.res[3] as number, loWa: P.res[4] as number };
  if (method === 'sort') {
    const [cL, cR] = bracketBySort(P.lo, P.hi, P.wa, n, k);
    return solveOnBracket(P, k, lambda, s, cL, cR, Number.NaN, out);
  }
  let bracket: SelectBracket;
  if (aimed) {
    // Phi at the bracket ends: the kept groups' sums from the build pass plus the retired ones.
    const phi1 = (P.res[6] as number) + retired.head + p1 * retired.wa - retired.loWa;
    const phi2 = (P.res[7] as number) + retired.head + p2 * retired.wa - retired.loWa;
    const init: InitialPivots = { piv: Float64Array.of(p1, p2), np: 2, phi: Float64Array.of(phi1, phi2) };
    proxSearchCounters.aimed++;
    if (phi1 < k && k <= phi2) {
      // The root is inside the aimed bracket: search among the groups kept by the build pass.
      bracket = bracketBySelect(P.lo, P.hi, P.wa, kept, k, init, undefined, retired, P.rounds);
    } else {
      // The sample missed (by more than three sigma): rebuild every breakpoint, search from the pivots.
      proxSearchCounters.missed++;
      P.buildAndRetire(lambda, s, 0, Number.POSITIVE_INFINITY);
      bracket = bracketBySelect(P.lo, P.hi, P.wa, n, k, init, undefined, undefined, P.rounds);
    }
  } else {
    bracket = bracketBySelect(P.lo, P.hi, P.wa, n, k, undefined, undefined, undefined, P.rounds);
  }
  return solveOnBracket(P, k, lambda, s, bracket.cL, bracket.cR, hasStep ? Number.NaN : bracket.c, out);
}

/**
 * Given the bracket, classify every nonzero group (head: theta = 1, middle: 0 < theta < 1, tail:
 * theta = 0) by comparing its breakpoints with the bracket ends, solve the linear equation sum theta = k
 * for c in closed form from fresh sums (unless `cKnown`, the root from the select strategy's own
 * retirement sums, is given), and write the new norms: head a/(1 + lambda w^2), middle
 * a - tau w with tau = lambda / c, tail 0. The breakpoints are recomputed with the very expressions of
 * the build pass (identical bits), which lets the search compact its arrays in place and saves storing a
 * group index per entry.
 */
function solveOnBracket(
  P: SefPasses,
  k: number,
  lambda: number,
  s: number,
  cL: number,
  cR: number,
  cKnown: number,
  out: Float64Array,
): Float64Array {
  let head = 0;
  let sumWa = 0;
  let sumW2 = 0;
  let sumStepWa = 0;
  if (Number.isNaN(cKnown)) {
    P.solveSums(lambda, s, cL, cR);
    head = P.res[0] as number;
    sumWa = P.res[1] as number;
    sumW2 = P.res[2] as number;
    sumStepWa = P.res[3] as number;
  }
  let c = !Number.isNaN(cKnown) ? cKnown : sumWa > 0 ? (k - head + lambda * sumW2) / sumWa : cR;
  if (!(c >= cL)) c = cL;
  if (!(c <= cR)) c = cR;
  const tau = lambda / c;
  const invS = 1 / s; // s is a power of two: exact
  const residual = k - head - (c * sumWa - lambda * sumW2);
  P.solveWrite(lambda, s, cL, cR, tau, invS, residual, sumStepWa, out);
  return out;
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
  const k = checkK(fn, o.k);
  const lambda = checkLambda(fn, o.lambda);
  const w = checkWeights(fn, o.weights, a.length);
  const method = checkMethod(fn, o.method) ?? DEFAULT_ROOT_METHOD;
  return weightedSefProxUnchecked(a, w, k, lambda, method, new Float64Array(a.length));
}
