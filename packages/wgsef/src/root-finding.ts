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

/** Number of breakpoints sampled per round to pick the pivots. */
export const SAMPLE = 31;

/**
 * Up to three pivots (the quartiles of a sample of breakpoints strictly inside (cL, cR), taken at evenly
 * spaced active groups), written ascending into `piv`; returns how many (0 if the sample held none).
 */
function samplePivots(
  lo: Float64Array,
  hi: Float64Array,
  active: number,
  cL: number,
  cR: number,
  sample: Float64Array,
  piv: Float64Array,
): number {
  let ns = 0;
  const step = active / SAMPLE;
  for (let t = 0; t < SAMPLE && t < active; t++) {
    const j = Math.floor(t * step);
    const l = lo[j] as number;
    const h = hi[j] as number;
    if (l > cL && l < cR) sample[ns++] = l;
    if (h > cL && h < cR) sample[ns++] = h;
  }
  return pivotsFromSample(sample, ns, piv);
}

/** Pivots chosen, and Phi evaluated at them, by the caller during its own pass over the groups. */
export interface InitialPivots {
  /** Ascending pivots (np of them, 1..5), strictly inside (0, +inf). */
  piv: Float64Array;
  np: number;
  /** Phi at each pivot. */
  phi: Float64Array;
}

/** Result of {@link bracketBySelect}: the bracket and the root c* solved from the retirement sums. */
export interface SelectBracket {
  cL: number;
  cR: number;
  /** c* = (k - head + sum lo*wa) / sum wa over the middle groups; NaN if no group is middle. */
  c: number;
}

/** Up to three pivots from breakpoints sampled by the caller (any order); returns how many. */
export function pivotsFromSample(sample: Float64Array, ns: number, piv: Float64Array): number {
  if (ns === 0) return 0;
  const sorted = sample.subarray(0, ns).sort();
  let np = 0;
  for (let q = 1; q <= 3; q++) {
    const v = sorted[Math.min(ns - 1, (q * ns) >> 2)] as number;
    if (np === 0 || v > (piv[np - 1] as number)) piv[np++] = v;
  }
  return np;
}

/** Groups sampled by {@link aimedBracket}: 2 sqrt(m), within [32, 4096] (the bracket narrows as 1/sqrt). */
function aimSampleSize(m: number): number {
  return Math.min(m, Math.max(32, Math.min(4096, Math.round(2 * Math.sqrt(m)))));
}
/** Half-width of the aimed bracket, in standard deviations of the sampled estimate of Phi. */
const AIM_SIGMAS = 3;

/**
 * A bracket [p1, p2] aimed at the root, for the build pass of the prox to retire groups against: solve
 * the sampled equations (nnz / ns) * sum_{sampled} theta_j(c) = k -/+ 3 sigma on evenly spaced groups,
 * sigma being the standard deviation of the sampled Phi estimated from the spread of the sampled theta at
 * the root estimate. The root lies inside unless the sample is off by more than three sigma (the caller
 * checks Phi at both ends and falls back to a full search). Writes p1 < p2 (positive, finite) to `out` and returns true, or
 * returns false when the sample cannot aim (then the caller uses [0, infinity)).
 */
export function aimedBracket(
  a: ArrayLike<number>,
  w: ArrayLike<number>,
  lambda: number,
  s: number,
  nnz: number,
  k: number,
  out: Float64Array,
): boolean {
  const m = a.length;
  const S = aimSampleSize(m);
  const sl = new Float64Array(S);
  const sw = new Float64Array(S);
  const bps = new Float64Array(2 * S);
  let ns = 0;
  for (let t = 0; t < S; t++) {
    const j = Math.floor((t * m) / S);
    const x = (a[j] as number) * s;
    if (!(x > 0)) continue;
    const wj = w[j] as number;
    const l = (lambda * wj) / x;
    const h = (1 + lambda * wj * wj) / (wj * x);
    if (!Number.isFinite(h) || !Number.isFinite(l)) continue;
    sl[ns] = l;
    sw[ns] = wj * x;
    bps[2 * ns] = l;
    bps[2 * ns + 1] = h;
    ns++;
  }
  if (ns < 8) return false;
  const sorted = bps.subarray(0, 2 * ns).sort();
  // clip(t, 0, 1) = (|t| - |t - 1| + 1) / 2 (branch-free)
  const phiS = (c: number) => {
    let f = 0;
    for (let i = 0; i < ns; i++) {
      const t = (c - (sl[i] as number)) * (sw[i] as number);
      f += Math.abs(t) - Math.abs(t - 1);
    }
    return 0.5 * (f + ns);
  };
  // In sampled units: target ns * k / nnz; sigma from the spread of the sampled theta at the estimate
  // (at least a quarter of its bound sqrt(ns) / 2).
  const target = (k * ns) / nnz;
  let lo0 = -1;
  let hi0 = 2 * ns - 1;
  while (hi0 - lo0 > 1) {
    const mid = (lo0 + hi0) >> 1;
    if (phiS(sorted[mid] as number) < target) lo0 = mid;
    else hi0 = mid;
  }
  const est = sorted[hi0] as number;
  let sum = 0;
  let sumSq = 0;
  for (let i = 0; i < ns; i++) {
    const th = Math.min(1, Math.max(0, (est - (sl[i] as number)) * (sw[i] as number)));
    sum += th;
    sumSq += th * th;
  }
  const variance = Math.max(sumSq / ns - (sum / ns) ** 2, 1 / 64);
  const margin = AIM_SIGMAS * Math.sqrt(ns * variance);
  const lowTarget = target - margin;
  const highTarget = target + margin;
  // p1: the largest sample breakpoint with phiS < lowTarget; p2: the smallest with phiS >= highTarget.
  // Binary search on (from, to]: phiS(sorted[from]) < t <= phiS(sorted[to]) (from = -1: below all).
  const firstAtLeast = (t: number, from: number, to: number) => {
    let lo = from;
    let hi = to;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (phiS(sorted[mid] as number) < t) lo = mid;
      else hi = mid;
    }
    return hi;
  };
  // phiS is non-decreasing: the low target is reached at or before hi0, the high one after lo0; the
  // largest breakpoint has phiS = ns > highTarget.
  const i1 = firstAtLeast(lowTarget, -1, hi0) - 1;
  const i2 = firstAtLeast(highTarget, Math.max(lo0, -1), 2 * ns - 1);
  if (i1 < 0) return false;
  const p1 = sorted[i1] as number;
  const p2 = sorted[i2] as number;
  if (!(p1 > 0) || !(p2 > p1) || !Number.isFinite(p2)) return false;
  out[0] = p1;
  out[1] = p2;
  return true;
}

/** Groups retired before the search (by the caller's own pass): the head count and the linear sums. */
export interface RetiredSums {
  head: number;
  /** Sum of w a over the groups linear on the whole initial bracket. */
  wa: number;
  /** Sum of lo * w a over the same groups. */
  loWa: number;
}

/** One retirement round of {@link bracketBySelect} over the active groups, on arrays the pass owns. */
export interface RoundPass {
  /** After a round: [keep, breakpoints inside (cL, cR), fixedHead, fixedWa, fixedLoWa, Phi sums at p0, p1, p2]. */
  readonly res: Float64Array;
  /** The buffer a gathering round writes the inside breakpoints to (length >= size). */
  gatherBuffer(size: number): Float64Array;
  /**
   * Retires the active groups whose breakpoints both lie outside [cL, cR] into the running fixed sums
   * (passed in, returned in res), compacts the others to the front of lo, hi, wa, counts (and with
   * `gather` copies) their breakpoints strictly inside (cL, cR), and sums Phi over them at p0, p1, p2.
   */
  retireRound(
    active: number,
    cL: number,
    cR: number,
    p0: number,
    p1: number,
    p2: number,
    gather: boolean,
    fixedHead: number,
    fixedWa: number,
    fixedLoWa: number,
  ): void;
}

/** The retirement rounds, on the caller's arrays. */
export class JsRoundPass implements RoundPass {
  readonly res = new Float64Array(8);
  private buf = new Float64Array(0);
  constructor(
    private readonly lo: Float64Array,
    private readonly hi: Float64Array,
    private readonly wa: Float64Array,
  ) {}

  gatherBuffer(size: number): Float64Array {
    if (this.buf.length < size) this.buf = new Float64Array(size);
    return this.buf;
  }

  retireRound(
    active: number,
    cL: number,
    cR: number,
    p0: number,
    p1: number,
    p2: number,
    gather: boolean,
    fixedHead: number,
    fixedWa: number,
    fixedLoWa: number,
  ): void {
    retireRound(this.lo, this.hi, this.wa, active, cL, cR, p0, p1, p2, gather ? this.buf : null, fixedHead, fixedWa, fixedLoWa, this.res);
  }
}

function retireRound(
  lo: Float64Array,
  hi: Float64Array,
  wa: Float64Array,
  active: number,
  cL: number,
  cR: number,
  p0: number,
  p1: number,
  p2: number,
  buf: Float64Array | null,
  fixedHeadIn: number,
  fixedWaIn: number,
  fixedLoWaIn: number,
  res: Float64Array,
): void {
  let fixedHead = fixedHeadIn;
  let fixedWa = fixedWaIn;
  let fixedLoWa = fixedLoWaIn;
  let keep = 0;
  let nb = 0;
  let f0 = 0;
  let f1 = 0;
  let f2 = 0;
  for (let j = 0; j < active; j++) {
    const l = lo[j] as number;
    const h = hi[j] as number;
    const w = wa[j] as number;
    // Retire without data-dependent branches (they mispredict on shuffled groups): head (h <= cL,
    // theta = 1), tail (l >= cR, theta = 0), linear on the whole bracket (l <= cL, h >= cR). `+(x <= y)`
    // compiles to a flag move; adding 0 * (finite) leaves a sum's bits unchanged.
    const isHead = +(h <= cL);
    const notHead = 1 - isHead;
    const isTail = notHead * +(l >= cR);
    const isLin = notHead * (1 - isTail) * +(l <= cL) * +(h >= cR);
    fixedHead += isHead;
    fixedWa += isLin * w;
    fixedLoWa += isLin * (l * w);
    // Branch-free compaction and counting: always write at `keep`, advance when the group stays.
    const stays = 1 - isHead - isTail - isLin;
    lo[keep] = l;
    hi[keep] = h;
    wa[keep] = w;
    keep += stays;
    const inL = stays * +(l > cL); // breakpoints strictly inside (cL, cR)
    const inH = stays * +(h < cR);
    if (buf !== null) {
      buf[nb] = l;
      nb += inL;
      buf[nb] = h;
      nb += inH;
    } else {
      nb += inL + inH;
    }
    // Phi at the pivots over the staying groups, clip(t, 0, 1) selected arithmetically (exact for
    // finite t: 1 + 0 * t = 1, 0 + 0 * t = 0, 0 + 1 * t = t).
    const t0 = (p0 - l) * w;
    const t1 = (p1 - l) * w;
    const t2 = (p2 - l) * w;
    const lo0 = +(t0 <= 0);
    const hi0 = +(t0 >= 1);
    const lo1 = +(t1 <= 0);
    const hi1 = +(t1 >= 1);
    const lo2 = +(t2 <= 0);
    const hi2 = +(t2 >= 1);
    f0 += stays * (hi0 + (1 - lo0 - hi0) * t0);
    f1 += stays * (hi1 + (1 - lo1 - hi1) * t1);
    f2 += stays * (hi2 + (1 - lo2 - hi2) * t2);
  }
  res[0] = keep;
  res[1] = nb;
  res[2] = fixedHead;
  res[3] = fixedWa;
  res[4] = fixedLoWa;
  res[5] = f0;
  res[6] = f1;
  res[7] = f2;
}

/**
 * Selection-based bracketing in worst-case O(m). Each round evaluates Phi at up to three pivots inside
 * the bracket, moves the bracket to the pair of pivots (or pivot and old end) around the root, and
 * retires every group whose breakpoints both lie outside the new bracket (its contribution to Phi is
 * constant or linear there and is folded into three running sums). The pivots are the quartiles of a
 * small sample of the remaining breakpoints, and the Phi evaluations at the next pivots are fused into
 * the retire/compact pass, so a round is one pass over the active groups and typically quarters the
 * breakpoints inside the bracket. If a round fails to remove a quarter of them (possible only for
 * unlucky orderings), the next pivot is their exact median (worst-case linear selection), which halves
 * them; so the total work is a geometric series. Compacts lo, hi and wa in place (scratch arrays).
 * If the caller already retired groups against the initial pivots (`retired`), the arrays hold only the
 * remaining ones and `init.phi` includes the retired contributions.
 */
export function bracketBySelect(
  loIn: Float64Array,
  hiIn: Float64Array,
  waIn: Float64Array,
  n: number,
  k: number,
  init?: InitialPivots,
  stats?: { rounds: number; exactRounds: number },
  retired?: RetiredSums,
  rounds: RoundPass = new JsRoundPass(loIn, hiIn, waIn),
): SelectBracket {
  const sample = new Float64Array(2 * SAMPLE);
  const piv = new Float64Array(5);
  const phis = new Float64Array(5);
  if (init) piv.set(init.piv.subarray(0, init.np));
  // Compaction happens in place (the caller's arrays are scratch).
  const lo = loIn;
  const hi = hiIn;
  const wa = waIn;
  let srcLo = loIn;
  let srcHi = hiIn;
  let srcWa = waIn;
  let buf: Float64Array | undefined;
  let cL = 0;
  let cR = Number.POSITIVE_INFINITY;
  // Retired groups: fixedHead with theta = 1; middle ones contribute c * fixedWa - fixedLoWa.
  let fixedHead = retired ? retired.head : 0;
  let fixedWa = retired ? retired.wa : 0;
  let fixedLoWa = retired ? retired.loWa : 0;
  let active = n;
  let inside = 2 * n; // breakpoints strictly inside (cL, cR)
  let np = init ? init.np : samplePivots(srcLo, srcHi, active, cL, cR, sample, piv);
  if (np === 0) {
    buf = new Float64Array(2 * n);
    buf.set(loIn.subarray(0, n), 0);
    buf.set(hiIn.subarray(0, n), n);
    piv[0] = selectRange(buf, 0, 2 * n - 1, n);
    np = 1;
  }
  let f0 = 0;
  let f1 = 0;
  let f2 = 0;
  if (init && init.np > 0) {
    phis.set(init.phi.subarray(0, np));
  } else {
    const p0 = piv[0] as number;
    const p1 = piv[np > 1 ? 1 : 0] as number;
    const p2 = piv[np - 1] as number;
    for (let j = 0; j < n; j++) {
      const l = srcLo[j] as number;
      const w = srcWa[j] as number;
      f0 += Math.min(1, Math.max(0, (p0 - l) * w));
      f1 += Math.min(1, Math.max(0, (p1 - l) * w));
      f2 += Math.min(1, Math.max(0, (p2 - l) * w));
    }
    phis[0] = f0;
    phis[1] = f1;
    phis[2] = f2;
  }
  let exact = false;
  while (active > 0) {
    // Move the bracket: Phi is non-decreasing, so the root lies right after the last pivot with Phi < k.
    for (let q = 0; q < np; q++) {
      if ((phis[q] as number) < k) cL = piv[q] as number;
      else {
        cR = piv[q] as number;
        break;
      }
    }
    // Next pivots, chosen before the pass so that the pass also evaluates Phi there.
    np = exact ? 0 : samplePivots(srcLo, srcHi, active, cL, cR, sample, piv);
    const gather = np === 0;
    if (gather) buf = rounds.gatherBuffer(2 * n);
    const p0 = piv[0] as number;
    const p1 = piv[np > 1 ? 1 : 0] as number;
    const p2 = piv[np > 0 ? np - 1 : 0] as number;
    rounds.retireRound(active, cL, cR, p0, p1, p2, gather, fixedHead, fixedWa, fixedLoWa);
    const r = rounds.res;
    const keep = r[0] as number;
    const nb = r[1] as number;
    fixedHead = r[2] as number;
    fixedWa = r[3] as number;
    fixedLoWa = r[4] as number;
    f0 = r[5] as number;
    f1 = r[6] as number;
    f2 = r[7] as number;
    srcLo = lo;
    srcHi = hi;
    srcWa = wa;
    active = keep;
    if (active === 0) break;
    exact = 4 * nb > 3 * inside; // too little progress: use the exact median next round
    inside = nb;
    if (stats) {
      stats.rounds++;
      if (gather) stats.exactRounds++;
    }
    if (gather) {
      piv[0] = selectRange(buf as Float64Array, 0, nb - 1, nb >> 1);
      np = 1;
      const p = piv[0] as number;
      f0 = 0;
      for (let j = 0; j < active; j++) {
        f0 += Math.min(1, Math.max(0, (p - (lo[j] as number)) * (wa[j] as number)));
      }
    }
    const q0 = piv[0] as number;
    const q1 = piv[np > 1 ? 1 : 0] as number;
    const q2 = piv[np - 1] as number;
    phis[0] = f0 + fixedHead + q0 * fixedWa - fixedLoWa;
    phis[1] = f1 + fixedHead + q1 * fixedWa - fixedLoWa;
    phis[2] = f2 + fixedHead + q2 * fixedWa - fixedLoWa;
  }
  // Every group is retired: Phi(c) = fixedHead + c * fixedWa - fixedLoWa on [cL, cR], all sums of
  // positive terms (no cancellation), so the root follows in closed form.
  const c = fixedWa > 0 ? (k - fixedHead + fixedLoWa) / fixedWa : Number.NaN;
  return { cL, cR, c };
}
