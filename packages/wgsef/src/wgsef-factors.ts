/**
 * The WGSEF gradient as per-group factors, from the group norms: `grad WGSEF_k(x)` on group j is
 * `s_j x_{G_j}`. With the SEF split of `b = w ⊙ a` (`a_j = ||x_{G_j}||`), head groups (`b_j > beta`, or all
 * groups when at most k are nonzero) get `s_j = w_j^2` (a weight decay), tail groups `s_j = w_j beta / a_j`
 * (a group-lasso pull of common strength beta), zero groups 0. This is the one place the factor is
 * written: the host gradient, the model regularizers and the kernel regularizer all use it.
 *
 * reference: Argyriou, Foygel, Srebro, NeurIPS 2012 (the SEF closed form, see sef.ts).
 */
import { sefSplitUnchecked } from './sef';

/**
 * Factors `s_j` with `grad WGSEF_k` on group j equal to `s_j x_{G_j}` (unchecked inputs).
 * @param norms group norms `a_j >= 0`
 * @param weights group weights `w_j > 0` (same length)
 * @param k groups to keep (integer >= 1)
 * @example wgsefGradientFactors([5, 1], [1, 1], 1) // [1.2, 6]: both in the tail, beta = 6
 */
export function wgsefGradientFactors(
  norms: ArrayLike<number>,
  weights: ArrayLike<number>,
  k: number,
): Float64Array {
  const m = norms.length;
  const b = new Float64Array(m);
  for (let j = 0; j < m; j++) b[j] = (weights[j] as number) * (norms[j] as number);
  const s = new Float64Array(m);
  if (m === 0) return s;
  const { beta, allHead } = sefSplitUnchecked(b, k);
  for (let j = 0; j < m; j++) {
    const aj = norms[j] as number;
    const wj = weights[j] as number;
    if (!(aj > 0)) continue;
    s[j] = allHead || (b[j] as number) > beta ? wj * wj : (wj * beta) / aj;
  }
  return s;
}
