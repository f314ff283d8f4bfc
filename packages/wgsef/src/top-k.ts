/**
 * The exact-k finalize step: which k groups to keep. The WGSEF prox guarantees at least k nonzero
 * groups, exactly k only under a gap condition; callers that must end with exactly k keep the k largest
 * weighted norms and zero the rest (docs/concepts/wgsef-math.md#the-exact-k-helper).
 */
import { selectRange } from './select';
import { checkK, checkNorms, checkWeights, describeValue } from './validate';

/**
 * Indices of the k groups with the largest weighted norms `w_j * norms_j`, in ascending index order.
 * Ties are broken deterministically: the lower index wins. Returns all m indices when k >= m (zero
 * groups are included only when fewer than k groups are nonzero). Worst-case O(m) (selection, no sort).
 * @param norms group norms (finite, >= 0)
 * @param k integer >= 1
 * @param weights optional positive weights, one per group (default: all 1)
 * @example topKGroups([1, 5, 5, 2], 2) // Int32Array [1, 2]
 * @example topKGroups([1, 5, 5, 2], 1) // Int32Array [1]  (tie: lower index wins)
 */
export function topKGroups(norms: ArrayLike<number>, k: number, weights?: ArrayLike<number>): Int32Array {
  const fn = 'topKGroups';
  const a = checkNorms(fn, norms);
  checkK(fn, k);
  const m = a.length;
  const w = weights === undefined ? undefined : checkWeights(fn, weights, m);
  if (k >= m) {
    const all = new Int32Array(m);
    for (let j = 0; j < m; j++) all[j] = j;
    return all;
  }
  const score = new Float64Array(m);
  for (let j = 0; j < m; j++) score[j] = w ? (w[j] as number) * (a[j] as number) : (a[j] as number);
  const scratch = Float64Array.from(score);
  // The k-th largest score = the (m - k)-th smallest (0-based).
  const threshold = selectRange(scratch, 0, m - 1, m - k);
  let above = 0;
  for (let j = 0; j < m; j++) if ((score[j] as number) > threshold) above++;
  let tiesToTake = k - above;
  const out = new Int32Array(k);
  let n = 0;
  for (let j = 0; j < m; j++) {
    const s = score[j] as number;
    if (s > threshold || (s === threshold && tiesToTake-- > 0)) out[n++] = j;
  }
  if (n !== k) throw new Error(`${fn}: internal error, selected ${describeValue(n)} groups instead of ${k}.`);
  return out;
}
