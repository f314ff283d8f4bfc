/**
 * Finding where Phi(c) = sum_j theta_j(c) reaches k (docs/concepts/wgsef-math.md#finding-c).
 *
 * Phi is continuous, non-decreasing and piecewise linear with its kinks at the breakpoints (see
 * breakpoints.ts), Phi(0) = 0 and Phi(max hi) = number of groups > k. Both strategies return the
 * bracket of two consecutive breakpoints around the root: Phi(lower) < k <= Phi(upper) and no breakpoint
 * strictly between them. Phi is linear on the bracket, so the caller solves for the root in closed form.
 *
 * reference: the capped-simplex knapsack of the k-support norm prox, Argyriou, Foygel, Srebro,
 * "Sparse Prediction with the k-Support Norm", NeurIPS 2012; median breakpoint search as in Kiwiel,
 * "Breakpoint searching algorithms for the continuous quadratic knapsack problem", Math. Prog. 2008.
 */
import { type Breakpoints, phiAt, Scratch } from './breakpoints';
import { selectRange } from './select';

/** Root-finding strategy: 'sort' = sort the breakpoints, O(m log m); 'select' = median search, O(m). */
export type RootMethod = 'sort' | 'select';

/** Two consecutive breakpoints with Phi(lower) < k <= Phi(upper). */
export interface Bracket {
  lower: number;
  upper: number;
  /** Search rounds the strategy needed (binary-search steps, or median rounds). */
  rounds: number;
  /** Rounds of the median search that took the exact median (0 for 'sort'). */
  exactRounds: number;
}

const scratch = new Scratch();

/** Every breakpoint of the groups not left out, in scratch slot 0 (length 2 * count). */
function allBreakpoints(bp: Breakpoints): Float64Array {
  const out = scratch.get(0, 2 * bp.count);
  let n = 0;
  for (let j = 0; j < bp.wa.length; j++) {
    if (bp.wa[j] === 0) continue;
    out[n++] = bp.lo[j] as number;
    out[n++] = bp.hi[j] as number;
  }
  return out.subarray(0, n);
}

/** Sort all breakpoints and binary-search the first one where Phi reaches k. O(m log m). */
export function bracketBySort(bp: Breakpoints, k: number): Bracket {
  const sorted = allBreakpoints(bp).sort();
  // Invariant: Phi(sorted[left]) < k <= Phi(sorted[right]). Phi(smallest) = 0; Phi(largest) = count > k.
  let left = 0;
  let right = sorted.length - 1;
  let rounds = 0;
  while (right - left > 1) {
    const mid = (left + right) >> 1;
    if (phiAt(sorted[mid] as number, bp.lo, bp.wa, bp.wa.length) < k) left = mid;
    else right = mid;
    rounds++;
  }
  // Equal breakpoints have equal Phi, so sorted[left] < sorted[right]: nothing lies strictly between.
  return { lower: sorted[left] as number, upper: sorted[right] as number, rounds, exactRounds: 0 };
}

/** Breakpoints sampled per round to choose the pivot (from evenly spaced active groups). */
const SAMPLE_GROUPS = 31;

/**
 * The groups the median search still looks at, compacted to the front of lo, hi, wa, and the sums of the
 * groups it has retired. A group is retired once neither of its breakpoints lies strictly inside the
 * bracket: on the bracket its theta is then 1 (head), 0 (tail) or linear, c wa - lo wa, and it only adds
 * to `head`, `slope` and `offset`. Every active group has a breakpoint inside the bracket.
 */
class ActiveGroups {
  count: number;
  head = 0;
  slope = 0;
  offset = 0;
  private readonly sample = new Float64Array(2 * SAMPLE_GROUPS);

  constructor(
    readonly lo: Float64Array,
    readonly hi: Float64Array,
    readonly wa: Float64Array,
    count: number,
  ) {
    this.count = count;
  }

  /** Copies of the groups not left out (the search reorders its arrays). */
  static of(bp: Breakpoints): ActiveGroups {
    const lo = scratch.get(1, bp.count);
    const hi = scratch.get(2, bp.count);
    const wa = scratch.get(3, bp.count);
    let n = 0;
    for (let j = 0; j < bp.wa.length; j++) {
      if (bp.wa[j] === 0) continue;
      lo[n] = bp.lo[j] as number;
      hi[n] = bp.hi[j] as number;
      wa[n] = bp.wa[j] as number;
      n++;
    }
    return new ActiveGroups(lo, hi, wa, n);
  }

  /** Phi(c) for c inside the current bracket: the retired groups' sums plus the active groups. */
  phi(c: number): number {
    return this.head + c * this.slope - this.offset + phiAt(c, this.lo, this.wa, this.count);
  }

  /** The median of the breakpoints inside (lower, upper) of a few evenly spaced groups (never empty). */
  sampledPivot(lower: number, upper: number): number {
    const step = this.count / SAMPLE_GROUPS;
    let n = 0;
    for (let t = 0; t < SAMPLE_GROUPS && t < this.count; t++) {
      const j = Math.floor(t * step);
      for (const b of [this.lo[j] as number, this.hi[j] as number]) {
        if (b > lower && b < upper) this.sample[n++] = b;
      }
    }
    return this.sample.subarray(0, n).sort()[n >> 1] as number;
  }

  /** The exact median of all breakpoints inside (lower, upper), by worst-case linear selection. */
  exactPivot(lower: number, upper: number, inside: number): number {
    const out = scratch.get(0, inside);
    let n = 0;
    for (let j = 0; j < this.count; j++) {
      for (const b of [this.lo[j] as number, this.hi[j] as number]) {
        if (b > lower && b < upper) out[n++] = b;
      }
    }
    return selectRange(out, 0, n - 1, n >> 1);
  }

  /**
   * Retires every group with no breakpoint strictly inside (lower, upper) and compacts the others;
   * returns the number of breakpoints left inside.
   */
  retire(lower: number, upper: number): number {
    const { lo, hi, wa } = this;
    let kept = 0;
    let inside = 0;
    for (let j = 0; j < this.count; j++) {
      const l = lo[j] as number;
      const h = hi[j] as number;
      const w = wa[j] as number;
      if (h <= lower) {
        this.head++; // theta = 1 on the bracket
      } else if (l >= upper) {
        // theta = 0 on the bracket: adds nothing
      } else if (l <= lower && h >= upper) {
        this.slope += w; // theta = c w - l w on the bracket
        this.offset += l * w;
      } else {
        lo[kept] = l;
        hi[kept] = h;
        wa[kept] = w;
        kept++;
        if (l > lower) inside++;
        if (h < upper) inside++;
      }
    }
    this.count = kept;
    return inside;
  }
}

/**
 * Median breakpoint search, worst-case O(m). Each round picks a pivot among the breakpoints strictly
 * inside the bracket, evaluates Phi there, moves one end of the bracket to it, and retires the groups
 * whose breakpoints have all left the bracket. The pivot is the median of a small sample, which halves
 * the breakpoints inside on typical data; after a round that removes less than a quarter of them (an
 * ordering that fools the sample), the next pivot is their exact median (worst-case linear selection).
 * So the breakpoints inside shrink geometrically, every active group owns one of them, and the rounds
 * cost O(m + m/2 + m/4 + ...) in the worst case.
 */
export function bracketBySelect(bp: Breakpoints, k: number): Bracket {
  const groups = ActiveGroups.of(bp);
  let lower = 0; // Phi(0) = 0 < k
  let upper = Number.POSITIVE_INFINITY;
  let inside = 2 * groups.count;
  let exact = false;
  let rounds = 0;
  let exactRounds = 0;
  while (inside > 0) {
    const pivot = exact ? groups.exactPivot(lower, upper, inside) : groups.sampledPivot(lower, upper);
    if (groups.phi(pivot) < k) lower = pivot;
    else upper = pivot;
    const before = inside;
    inside = groups.retire(lower, upper);
    rounds++;
    if (exact) exactRounds++;
    exact = 4 * inside > 3 * before;
  }
  return { lower, upper, rounds, exactRounds };
}
