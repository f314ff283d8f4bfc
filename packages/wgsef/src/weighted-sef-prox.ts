/**
 * The weighted SEF prox on a vector of group norms: the O(m) heart of the WGSEF prox.
 *
 * reference: Refael, Arbel, Huleihel, "Learning k-Level Structured Sparse Neural Networks Using Group
 * Envelope Regularization", TMLR 2024; shared/docs/wgsef-math.md section 3.
 */
import {
  aimedPivots,
  bracketBySelect,
  bracketBySort,
  type InitialPivots,
  pivotsFromSample,
  type RootMethod,
  SAMPLE,
} from './root-finding';
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

/** Scratch arrays of the breakpoint search (module-level: the prox is synchronous and not re-entrant). */
let scratchLo = new Float64Array(0);
let scratchHi = new Float64Array(0);
let scratchWa = new Float64Array(0);

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
  // Breakpoint scratch, reused across calls (grown on demand; the search only reads its first n entries).
  if (scratchLo.length < nnz) {
    scratchLo = new Float64Array(nnz);
    scratchHi = new Float64Array(nnz);
    scratchWa = new Float64Array(nnz);
  }
  const lo = scratchLo;
  const hi = scratchHi;
  const wa = scratchWa;
  // For 'select', pick the first pivots from a sample of the groups (aimed at the root), so that the build
  // pass below also evaluates Phi at them (saves one pass over the groups).
  const init: InitialPivots = { piv: new Float64Array(5), np: 0, phi: new Float64Array(5) };
  if (method === 'select') init.np = aimedPivots(a, w, lambda, s, nnz, k, init.piv);
  if (method === 'select' && init.np === 0) {
    const sample = new Float64Array(2 * SAMPLE);
    let ns = 0;
    for (let t = 0; t < SAMPLE; t++) {
      const j = Math.floor((t * m) / SAMPLE);
      const x = (a[j] as number) * s;
      if (!(x > 0)) continue;
      const wj = w[j] as number;
      const l = (lambda * wj) / x;
      const h = (1 + lambda * wj * wj) / (wj * x);
      if (Number.isFinite(h) && Number.isFinite(l)) sample[ns++] = t & 1 ? h : l;
    }
    init.np = pivotsFromSample(sample, ns, init.piv);
  }
  // Unused pivot slots repeat the last pivot (harmless duplicate work, no branches in the loop).
  const pv = (i: number) => init.piv[Math.min(i, Math.max(0, init.np - 1))] as number;
  const p0 = pv(0);
  const p1 = pv(1);
  const p2 = pv(2);
  const p3 = pv(3);
  const p4 = pv(4);
  let f0 = 0;
  let f1 = 0;
  let f2 = 0;
  let f3 = 0;
  let f4 = 0;
  let hasStep = false;
  let n = 0;
  for (let j = 0; j < m; j++) {
    const x = (a[j] as number) * s;
    out[j] = 0;
    if (!(x > 0)) continue;
    const wj = w[j] as number;
    const waj = wj * x;
    // lo = lambda w / a and hi = (1 + lambda w^2) / (w a) with one division (the loop's bottleneck).
    const inv = 1 / waj;
    const L = lambda * wj * wj;
    const l = L * inv;
    const h = (1 + L) * inv;
    // A group whose breakpoint overflows is below float64 resolution relative to the largest norm: 0.
    if (!Number.isFinite(h) || !Number.isFinite(l)) continue;
    if (h <= l) hasStep = true;
    lo[n] = l;
    hi[n] = h;
    wa[n] = waj;
    n++;
    // clip(t, 0, 1) = (|t| - |t - 1| + 1) / 2: Math.abs is branchless, Math.min/max mispredict on
    // shuffled norms (measured 3x slower); the +1 and /2 are applied once after the loop.
    const t0 = (p0 - l) * waj;
    const t1 = (p1 - l) * waj;
    const t2 = (p2 - l) * waj;
    const t3 = (p3 - l) * waj;
    const t4 = (p4 - l) * waj;
    f0 += Math.abs(t0) - Math.abs(t0 - 1);
    f1 += Math.abs(t1) - Math.abs(t1 - 1);
    f2 += Math.abs(t2) - Math.abs(t2 - 1);
    f3 += Math.abs(t3) - Math.abs(t3 - 1);
    f4 += Math.abs(t4) - Math.abs(t4 - 1);
  }
  if (n <= k) {
    for (let j = 0; j < m; j++) {
      const x = (a[j] as number) * s;
      if (!(x > 0)) continue;
      const wj = w[j] as number;
      const inv = 1 / (wj * x);
      const L = lambda * wj * wj;
      if (Number.isFinite(L * inv) && Number.isFinite((1 + L) * inv)) out[j] = (a[j] as number) / (1 + L);
    }
    return out;
  }
  const prepared = { a, w, k, lambda, s, n };
  if (method === 'sort') {
    const [cL, cR] = bracketBySort(lo, hi, wa, n, k);
    return solveOnBracket(prepared, cL, cR, Number.NaN, out);
  }
  init.phi.set([0.5 * (f0 + n), 0.5 * (f1 + n), 0.5 * (f2 + n), 0.5 * (f3 + n), 0.5 * (f4 + n)]);
  const { cL, cR, c } = bracketBySelect(lo, hi, wa, n, k, init);
  return solveOnBracket(prepared, cL, cR, hasStep ? Number.NaN : c, out);
}

interface Prepared {
  a: ArrayLike<number>;
  w: ArrayLike<number>;
  k: number;
  lambda: number;
  /** Power-of-two scale applied to a before computing the breakpoints. */
  s: number;
  /** Number of effective (nonzero, finite-breakpoint) groups. */
  n: number;
}

/**
 * Given the bracket, classify every nonzero group (head: theta = 1, middle: 0 < theta < 1, tail:
 * theta = 0) by comparing its breakpoints with the bracket ends, solve the linear equation sum theta = k
 * for c in closed form from fresh sums (unless `cKnown`, the root from the select strategy's own
 * retirement sums, is given), and write the new norms: head a/(1 + lambda w^2), middle
 * a - tau w with tau = lambda / c, tail 0. `out` must hold 0 for every group not in `idx`.
 */
function solveOnBracket(
  p: Prepared,
  cL: number,
  cR: number,
  cKnown: number,
  out: Float64Array,
): Float64Array {
  const { a, w, k, lambda, s } = p;
  const m = a.length;
  let head = 0;
  let sumWa = 0;
  let sumW2 = 0;
  // Step groups (lo = hi = cR) occur only when lambda w^2 exceeds ~2^52 (theta jumps 0 -> 1).
  let sumStepWa = 0;
  // The breakpoints are recomputed with the very expressions of the build pass (identical bits), which
  // lets the search compact its arrays in place and saves storing a group index per entry.
  for (let j = 0; Number.isNaN(cKnown) && j < m; j++) {
    const x = (a[j] as number) * s;
    if (!(x > 0)) continue;
    const wj = w[j] as number;
    const waj = wj * x;
    const inv = 1 / waj;
    const L = lambda * wj * wj;
    const l = L * inv;
    const h = (1 + L) * inv;
    if (!Number.isFinite(h) || !Number.isFinite(l)) continue;
    // Branch-free classification (data-dependent branches mispredict on shuffled groups).
    const isHead = +(h <= cL);
    const isTail = (1 - isHead) * +(l >= cR);
    const isMid = (1 - isHead) * (1 - isTail);
    head += isHead;
    sumStepWa += isTail * +(h <= cR) * waj;
    sumWa += isMid * waj;
    sumW2 += isMid * (wj * wj);
  }
  let c = !Number.isNaN(cKnown) ? cKnown : sumWa > 0 ? (k - head + lambda * sumW2) / sumWa : cR;
  if (!(c >= cL)) c = cL;
  if (!(c <= cR)) c = cR;
  const tau = lambda / c;
  const invS = 1 / s; // s is a power of two: exact
  const residual = k - head - (c * sumWa - lambda * sumW2);
  for (let j = 0; j < m; j++) {
    const aj = a[j] as number;
    const x = aj * s;
    if (!(x > 0)) continue;
    const wj = w[j] as number;
    const waj = wj * x;
    const inv = 1 / waj;
    const L = lambda * wj * wj;
    const l = L * inv;
    const h = (1 + L) * inv;
    if (!Number.isFinite(h) || !Number.isFinite(l)) continue;
    const isHead = +(h <= cL);
    const isTail = (1 - isHead) * +(l >= cR);
    if (isTail * +(h <= cR) !== 0) {
      // Step group (rare): theta takes what the head and middle leave of k.
      const th = Math.min(1, Math.max(0, (residual * waj) / sumStepWa));
      out[j] = (aj * th) / (th + L);
      continue;
    }
    const isMid = (1 - isHead) * (1 - isTail);
    const ridge = aj / (1 + L);
    // a - tau w cancels when the group sits at its tail breakpoint; a result below the rounding error
    // of the subtraction (a few ulps of a) is exactly 0 (e.g. the gap condition met with equality).
    // Head, middle and tail are selected arithmetically (exact: one term is the value, the others 0).
    const d = x - tau * wj;
    const y = d * invS;
    const useRidge = +(ridge <= y); // min(ridge, y) by selection (Math.min branches)
    const soft = +(d > 8 * Number.EPSILON * x) * (useRidge * ridge + (1 - useRidge) * y);
    out[j] = isHead * ridge + isMid * soft;
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
