/**
 * The sparse envelope function SEF_k (half the squared k-support norm) on a plain vector: value,
 * k-support norm, gradient and prox.
 *
 * reference: Argyriou, Foygel, Srebro, "Sparse Prediction with the k-Support Norm", NeurIPS 2012
 * (closed form, Prop. 2.1); Beck, Refael, "Sparse regularization via bidualization", J. Global Optim. 2022.
 */
import { DEFAULT_ROOT_METHOD, weightedSefProxUnchecked } from './weighted-sef-prox';
import { checkFiniteArray, checkK, checkLambda, checkOptions } from './validate';

/** The split of the closed form: SEF value, the number of head entries and the common tail level beta. */
export interface SefSplit {
  /** SEF_k(x) = 1/2 ||x||_{k-sup}^2. */
  value: number;
  /** Entries with |x_i| > beta form the head (the k - r - 1 largest); all entries when nnz(x) <= k. */
  beta: number;
  /** True when nnz(x) <= k or k >= length: SEF = 1/2 ||x||^2 and every entry is in the head. */
  allHead: boolean;
}

/**
 * Closed form on magnitudes z = |x|: with z sorted non-increasing (z_0 = +inf), r in {0..k-1} is the
 * smallest index with z_{k-r-1} > (1/(r+1)) sum_{i >= k-r} z_i (equivalently the unique r of the
 * reference condition; choosing the smallest keeps the choice well defined under rounding), and
 * SEF = 1/2 (sum_{i < k-r-1} z_i^2 + (sum_{i >= k-r-1} z_i)^2 / (r+1)). O(d log d).
 */
export function sefSplitUnchecked(x: ArrayLike<number>, k: number): SefSplit {
  const d = x.length;
  const z = new Float64Array(d);
  let nnz = 0;
  for (let i = 0; i < d; i++) {
    const v = Math.abs(x[i] as number);
    z[i] = v;
    if (v > 0) nnz++;
  }
  if (k >= d || nnz <= k) {
    let ss = 0;
    for (let i = 0; i < d; i++) ss += (z[i] as number) * (z[i] as number);
    return { value: 0.5 * ss, beta: 0, allHead: true };
  }
  z.sort(); // ascending: the i-th largest is z[d - 1 - i]
  const at = (i: number) => z[d - 1 - i] as number;
  let tail = 0;
  for (let i = 0; i < d - k; i++) tail += z[i] as number; // sum of the d - k smallest, smallest first
  let r = 0;
  let j = k - 1;
  for (; r < k; r++) {
    j = k - 1 - r;
    tail += at(j);
    const left = j === 0 ? Number.POSITIVE_INFINITY : at(j - 1);
    if (left > tail / (r + 1)) break;
  }
  let head = 0;
  for (let i = 0; i < j; i++) head += at(i) * at(i);
  return { value: 0.5 * (head + (tail * tail) / (r + 1)), beta: tail / (r + 1), allHead: false };
}

/**
 * The sparse envelope function `SEF_k(x) = 1/2 ||x||_{k-sup}^2`, the convex envelope of
 * `1/2 ||x||^2 + indicator(||x||_0 <= k)`. Equals `1/2 ||x||^2` when k >= length or nnz(x) <= k and
 * `1/2 ||x||_1^2` when k = 1.
 * @param x the vector (finite entries)
 * @param k integer >= 1
 * @example sefValue([3, -1, 1], 2) // 6.5 = 1/2 (3^2 + (1 + 1)^2)
 */
export function sefValue(x: ArrayLike<number>, k: number): number {
  const v = checkFiniteArray('sefValue', 'x', x);
  return sefSplitUnchecked(v, checkK('sefValue', k)).value;
}

/**
 * The k-support norm `||x||_{k-sup} = sqrt(2 SEF_k(x))`: the l1 norm for k = 1, the l2 norm for k >= length.
 * @example kSupportNorm([3, -1, 1], 2) // sqrt(13)
 */
export function kSupportNorm(x: ArrayLike<number>, k: number): number {
  const v = checkFiniteArray('kSupportNorm', 'x', x);
  return Math.sqrt(2 * sefSplitUnchecked(v, checkK('kSupportNorm', k)).value);
}

/**
 * Gradient of SEF_k at x (a subgradient where SEF is not differentiable; 0 on zero entries): head entries
 * (|x_i| > beta) get `x_i`, the others `sign(x_i) * beta`.
 * @example sefGradient([3, -1, 1], 2) // Float64Array [3, -2, 2]
 */
export function sefGradient(x: ArrayLike<number>, k: number): Float64Array {
  const v = checkFiniteArray('sefGradient', 'x', x);
  const { beta, allHead } = sefSplitUnchecked(v, checkK('sefGradient', k));
  const g = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const xi = v[i] as number;
    g[i] = allHead || Math.abs(xi) > beta ? xi : Math.sign(xi) * beta;
  }
  return g;
}

/**
 * Proximal operator of `lambda * SEF_k` on a vector: `argmin_y 1/2 ||y - x||^2 + lambda SEF_k(y)`
 * (the WGSEF prox with singleton groups and unit weights). Keeps signs; at least min(k, nnz(x)) entries
 * stay nonzero.
 * @param x the vector (finite entries)
 * @param options k (integer >= 1), lambda (>= 0)
 * @example sefProx([3, 2, 0.5], { k: 1, lambda: 0.5 }) // Float64Array [1.75, 0.75, 0]
 */
export function sefProx(x: ArrayLike<number>, options: { k: number; lambda: number }): Float64Array {
  const fn = 'sefProx';
  const o = checkOptions(fn, options, '{ k: 2, lambda: 0.01 }');
  const v = checkFiniteArray(fn, 'x', x);
  const k = checkK(fn, o.k);
  const lambda = checkLambda(fn, o.lambda);
  const d = v.length;
  const a = new Float64Array(d);
  for (let i = 0; i < d; i++) a[i] = Math.abs(v[i] as number);
  const weights = new Float64Array(d).fill(1);
  const t = weightedSefProxUnchecked(a, { k, lambda, weights, method: DEFAULT_ROOT_METHOD });
  for (let i = 0; i < d; i++) t[i] = Math.sign(v[i] as number) * (t[i] as number);
  return t;
}
