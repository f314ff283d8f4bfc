/**
 * The weighted SEF prox on a vector of group norms: the O(m) heart of the WGSEF prox.
 *
 * reference: Refael, Arbel, Huleihel, "Learning k-Level Structured Sparse Neural Networks Using Group
 * Envelope Regularization", TMLR 2024; shared/docs/wgsef-math.md section 3.
 */
import { bracketBySelect, bracketBySort, type RootMethod } from './root-finding';
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

/**
 * Unchecked core: writes t = prox(a) into `out`. Inputs already validated; `w` has length m.
 * Exported for the tensor path and the group-norm helpers of other modules.
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
  let nnz = 0;
  let maxA = 0;
  for (let j = 0; j < m; j++) {
    const x = a[j] as number;
    if (x > 0) {
      nnz++;
      if (x > maxA) maxA = x;
    }
  }
  if (lambda === 0) {
    for (let j = 0; j < m; j++) out[j] = a[j] as number;
    return out;
  }
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
  const lo = new Float64Array(nnz);
  const hi = new Float64Array(nnz);
  const wa = new Float64Array(nnz);
  let n = 0;
  for (let j = 0; j < m; j++) {
    const x = (a[j] as number) * s;
    if (!(x > 0)) continue;
    const wj = w[j] as number;
    const waj = wj * x;
    const l = (lambda * wj) / x;
    const h = (1 + lambda * wj * wj) / waj;
    // A group whose breakpoint overflows is below float64 resolution relative to the largest norm.
    if (!Number.isFinite(h) || !Number.isFinite(l)) continue;
    lo[n] = l;
    hi[n] = h;
    wa[n] = waj;
    n++;
  }
  if (n <= k) {
    for (let j = 0; j < m; j++) {
      const x = (a[j] as number) * s;
      const wj = w[j] as number;
      const h = (1 + lambda * wj * wj) / (wj * x);
      out[j] = x > 0 && Number.isFinite(h) ? (a[j] as number) / (1 + lambda * wj * wj) : 0;
    }
    return out;
  }
  const [cL, cR] = method === 'sort' ? bracketBySort(lo, hi, wa, n, k) : bracketBySelect(lo, hi, wa, n, k);
  return solveOnBracket(a, w, k, lambda, s, cL, cR, out);
}

/**
 * Given the bracket, classify every group (head: theta = 1, middle: 0 < theta < 1, tail: theta = 0),
 * solve the linear equation sum theta = k for c in closed form from fresh sums, and write the new norms:
 * head a/(1 + lambda w^2), middle a - tau w with tau = lambda / c, tail 0.
 */
function solveOnBracket(
  a: ArrayLike<number>,
  w: ArrayLike<number>,
  k: number,
  lambda: number,
  s: number,
  cL: number,
  cR: number,
  out: Float64Array,
): Float64Array {
  const m = a.length;
  // kind: 0 tail/zero, 1 head, 2 middle, 3 step (lo = hi = cR; only when lambda w^2 exceeds 2^52)
  const kind = new Uint8Array(m);
  let head = 0;
  let sumWa = 0;
  let sumW2 = 0;
  let sumStepWa = 0;
  for (let j = 0; j < m; j++) {
    const x = (a[j] as number) * s;
    if (!(x > 0)) continue;
    const wj = w[j] as number;
    const waj = wj * x;
    const l = (lambda * wj) / x;
    const h = (1 + lambda * wj * wj) / waj;
    if (!Number.isFinite(h) || !Number.isFinite(l)) continue;
    if (h <= cL) {
      kind[j] = 1;
      head++;
    } else if (l >= cR) {
      if (h <= cR) {
        kind[j] = 3;
        sumStepWa += waj;
      }
    } else {
      kind[j] = 2;
      sumWa += waj;
      sumW2 += wj * wj;
    }
  }
  let c = sumWa > 0 ? (k - head + lambda * sumW2) / sumWa : cR;
  if (!(c >= cL)) c = cL;
  if (!(c <= cR)) c = cR;
  const tau = lambda / c;
  const residual = k - head - (c * sumWa - lambda * sumW2);
  for (let j = 0; j < m; j++) {
    const aj = a[j] as number;
    const wj = w[j] as number;
    const L = lambda * wj * wj;
    switch (kind[j]) {
      case 1:
        out[j] = aj / (1 + L);
        break;
      case 2: {
        // a - tau w cancels when the group sits at its tail breakpoint; a result below the rounding error
        // of the subtraction (a few ulps of a) is exactly 0 (e.g. the gap condition met with equality).
        const as = aj * s;
        const d = as - tau * wj;
        const t = d <= 8 * Number.EPSILON * as ? 0 : d / s;
        out[j] = Math.min(aj / (1 + L), t);
        break;
      }
      case 3: {
        const r = (residual * wj * aj * s) / sumStepWa;
        const th = Math.min(1, Math.max(0, r));
        out[j] = (aj * th) / (th + L);
        break;
      }
      default:
        out[j] = 0;
    }
  }
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
