/**
 * The two root-finding strategies of the weighted SEF prox (see weighted-sef-prox.ts).
 *
 * For the m' nonzero groups, theta_j(c) = clip((c - lo_j) * wa_j, 0, 1) with lo_j = lambda w_j / a_j,
 * hi_j = (1 + lambda w_j^2) / (w_j a_j), wa_j = w_j a_j. Phi(c) = sum_j theta_j(c) is continuous,
 * non-decreasing and piecewise linear with breakpoints {lo_j, hi_j}, Phi(0) = 0 and Phi(max hi) = m' > k.
 * Both strategies return the bracket [cL, cR] of two consecutive breakpoints (no breakpoint strictly
 * inside) with Phi(cL) < k <= Phi(cR); then c* = min{c : Phi(c) = k} lies in (cL, cR] and Phi is linear
 * there, so the caller solves for c* in closed form.
 *
 * reference: the capped-simplex knapsack of the k-support norm prox, Argyriou, Foygel, Srebro,
 * "Sparse Prediction with the k-Support Norm", NeurIPS 2012; linear-time bracketing as in Kiwiel,
 * "Breakpoint searching algorithms for the continuous quadratic knapsack problem", Math. Prog. 2008.
 */
import { selectRange } from './select';

/** Root-finding strategy: 'sort' = sort the 2m breakpoints, O(m log m); 'select' = median bracketing, O(m). */
export type RootMethod = 'sort' | 'select';

/** Phi(c) over the first n groups. */
function phiAt(c: number, lo: Float64Array, wa: Float64Array, n: number): number {
  let s = 0;
  for (let j = 0; j < n; j++) {
    const th = (c - (lo[j] as number)) * (wa[j] as number);
    s += Math.min(1, Math.max(0, th));
  }
  return s;
}

/** Sort-based bracketing: sort all breakpoints, binary search the first with Phi >= k. O(m log m). */
export function bracketBySort(
  lo: Float64Array,
  hi: Float64Array,
  wa: Float64Array,
  n: number,
  k: number,
): [number, number] {
  const bp = new Float64Array(2 * n);
  bp.set(lo.subarray(0, n), 0);
  bp.set(hi.subarray(0, n), n);
  bp.sort();
  // Invariant: Phi(bp[l]) < k <= Phi(bp[r]). Phi(bp[0]) = Phi(min lo) = 0; Phi(bp[2n-1]) = n > k.
  let l = 0;
  let r = 2 * n - 1;
  while (r - l > 1) {
    const mid = (l + r) >> 1;
    if (phiAt(bp[mid] as number, lo, wa, n) < k) l = mid;
    else r = mid;
  }
  // r = l + 1 and bp[l] < bp[r] (equal breakpoints have equal Phi): nothing lies strictly inside.
  return [bp[l] as number, bp[r] as number];
}

/**
 * Selection-based bracketing in worst-case O(m): pivot on the median of the breakpoints still inside the
 * bracket, then retire every group whose breakpoints both lie outside it (its contribution to Phi is
 * constant or linear on the bracket and is folded into three running sums). The breakpoints inside the
 * bracket halve every round, so the total work is a geometric series. Mutates lo, hi, wa (scratch copies).
 */
export function bracketBySelect(
  lo: Float64Array,
  hi: Float64Array,
  wa: Float64Array,
  n: number,
  k: number,
): [number, number] {
  const buf = new Float64Array(2 * n);
  let cL = 0;
  let cR = Number.POSITIVE_INFINITY;
  // Retired groups: fixedHead with theta = 1; middle ones contribute c * fixedWa - fixedLoWa.
  let fixedHead = 0;
  let fixedWa = 0;
  let fixedLoWa = 0;
  let active = n;
  let nb = 0;
  for (let j = 0; j < n; j++) {
    buf[nb++] = lo[j] as number;
    buf[nb++] = hi[j] as number;
  }
  while (nb > 0) {
    const p = selectRange(buf, 0, nb - 1, nb >> 1);
    let phi = fixedHead + p * fixedWa - fixedLoWa;
    for (let j = 0; j < active; j++) {
      const th = (p - (lo[j] as number)) * (wa[j] as number);
      phi += Math.min(1, Math.max(0, th));
    }
    if (phi < k) cL = p;
    else cR = p;
    // Retire groups fixed on [cL, cR], compact the rest, and gather the breakpoints still inside.
    let keep = 0;
    nb = 0;
    for (let j = 0; j < active; j++) {
      const l = lo[j] as number;
      const h = hi[j] as number;
      if (h <= cL) {
        fixedHead++;
      } else if (l >= cR) {
        // tail on the whole bracket: theta = 0
      } else if (l <= cL && h >= cR) {
        const w = wa[j] as number;
        fixedWa += w;
        fixedLoWa += l * w;
      } else {
        lo[keep] = l;
        hi[keep] = h;
        wa[keep] = wa[j] as number;
        keep++;
        if (l > cL) buf[nb++] = l;
        if (h < cR) buf[nb++] = h;
      }
    }
    active = keep;
  }
  return [cL, cR];
}
