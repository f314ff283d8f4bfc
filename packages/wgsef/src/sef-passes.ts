/**
 * The full passes over the groups of the weighted SEF prox (scan, build + first retirement, the two
 * passes of the final solve). The search between the passes (root-finding.ts) runs on the few groups
 * they keep.
 *
 * Every group j is seen through x = a_j s (s a power of two), wa = w_j x, L = lambda w_j^2 and its two
 * breakpoints lo = L / wa, hi = (1 + L) / wa (computed with one division); groups with x <= 0 or a
 * breakpoint that overflows are left out (their output is 0).
 */
import { JsRoundPass, type RoundPass } from './root-finding';

/** The passes, on arrays the implementation owns (`load` brings a and w in). */
export interface SefPasses {
  /** The retirement rounds of the select search, on lo, hi, wa. */
  readonly rounds: RoundPass;
  /** Results of the last pass (see each pass). */
  readonly res: Float64Array;
  /** Breakpoint scratch: the groups kept by {@link SefPasses.buildAndRetire} (compacted). */
  readonly lo: Float64Array;
  readonly hi: Float64Array;
  readonly wa: Float64Array;
  /** Sets the norms and weights the passes read (length m each). */
  load(a: ArrayLike<number>, w: ArrayLike<number>): void;
  /** res = [number of a_j > 0, max a_j]. */
  scan(): void;
  /**
   * Breakpoints of every group; groups with both breakpoints outside [p1, p2] are retired (head: hi <= p1,
   * tail: lo >= p2, linear: lo <= p1 and hi >= p2), the others compacted into lo, hi, wa.
   * res = [n, kept, head, sum wa (linear), sum lo wa (linear), number of step groups (hi <= lo),
   * sum of clip((p1 - lo) wa, 0, 1) and of clip((p2 - lo) wa, 0, 1) over the kept groups].
   * p1 = 0, p2 = Infinity keeps every group (then the last two are not meaningful).
   */
  buildAndRetire(lambda: number, s: number, p1: number, p2: number): void;
  /** res = [head, sum wa (middle), sum w^2 (middle), sum wa (step groups at cR)] against [cL, cR]. */
  solveSums(lambda: number, s: number, cL: number, cR: number): void;
  /** Writes the new norms of every group into out (0 for the groups left out). */
  solveWrite(
    lambda: number,
    s: number,
    cL: number,
    cR: number,
    tau: number,
    invS: number,
    residual: number,
    sumStepWa: number,
    out: Float64Array,
  ): void;
}

/** The JavaScript passes, reading the caller's arrays in place. */
export class JsSefPasses implements SefPasses {
  readonly res = new Float64Array(8);
  lo = new Float64Array(0);
  hi = new Float64Array(0);
  wa = new Float64Array(0);
  rounds: RoundPass = new JsRoundPass(this.lo, this.hi, this.wa);
  private a: ArrayLike<number> = [];
  private w: ArrayLike<number> = [];

  load(a: ArrayLike<number>, w: ArrayLike<number>): void {
    this.a = a;
    this.w = w;
    if (this.lo.length < a.length) {
      this.lo = new Float64Array(a.length);
      this.hi = new Float64Array(a.length);
      this.wa = new Float64Array(a.length);
      this.rounds = new JsRoundPass(this.lo, this.hi, this.wa);
    }
  }

  scan(): void {
    const a = this.a;
    let nnz = 0;
    let max = 0;
    for (let j = 0; j < a.length; j++) {
      const x = a[j] as number;
      if (x > 0) {
        nnz++;
        if (x > max) max = x;
      }
    }
    this.res[0] = nnz;
    this.res[1] = max;
  }

  buildAndRetire(lambda: number, s: number, p1: number, p2: number): void {
    buildAndRetire(this.a, this.w, lambda, s, p1, p2, this.lo, this.hi, this.wa, this.res);
  }

  solveSums(lambda: number, s: number, cL: number, cR: number): void {
    solveSums(this.a, this.w, lambda, s, cL, cR, this.res);
  }

  solveWrite(
    lambda: number,
    s: number,
    cL: number,
    cR: number,
    tau: number,
    invS: number,
    residual: number,
    sumStepWa: number,
    out: Float64Array,
  ): void {
    solveWrite(this.a, this.w, lambda, s, cL, cR, tau, invS, residual, sumStepWa, out);
  }
}

// The loops are plain functions (not methods) so that V8 optimizes each whole instead of
// on-stack-replacing a loop inside a larger function. Each recomputes a group's breakpoints with the
// same expressions on purpose: every pass must get identical bits, and a
// shared helper would cost a call per group in the hottest loops.

function buildAndRetire(
  a: ArrayLike<number>,
  w: ArrayLike<number>,
  lambda: number,
  s: number,
  p1: number,
  p2: number,
  lo: Float64Array,
  hi: Float64Array,
  wa: Float64Array,
  res: Float64Array,
): void {
  const m = a.length;
  let n = 0;
  let kept = 0;
  let head = 0;
  let linWa = 0;
  let linLoWa = 0;
  let steps = 0;
  let f1 = 0;
  let f2 = 0;
  for (let j = 0; j < m; j++) {
    const x = (a[j] as number) * s;
    if (!(x > 0)) continue;
    const wj = w[j] as number;
    const waj = wj * x;
    const inv = 1 / waj;
    const L = lambda * wj * wj;
    const l = L * inv;
    const h = (1 + L) * inv;
    // A group whose breakpoint overflows is below float64 resolution relative to the largest norm: 0.
    if (!Number.isFinite(h) || !Number.isFinite(l)) continue;
    n++;
    steps += +(h <= l);
    // Retire without data-dependent branches (they mispredict on shuffled groups).
    const isHead = +(h <= p1);
    const notHead = 1 - isHead;
    const isTail = notHead * +(l >= p2);
    const isLin = notHead * (1 - isTail) * +(l <= p1) * +(h >= p2);
    head += isHead;
    linWa += isLin * waj;
    linLoWa += isLin * (l * waj);
    // Branch-free compaction: always write at `kept`, advance only when the group stays.
    const stays = 1 - isHead - isTail - isLin;
    lo[kept] = l;
    hi[kept] = h;
    wa[kept] = waj;
    kept += stays;
    // Phi at p1 and p2 over the kept groups (clip selected arithmetically: exact for finite t).
    const t1 = (p1 - l) * waj;
    const t2 = (p2 - l) * waj;
    const lo1 = +(t1 <= 0);
    const hi1 = +(t1 >= 1);
    const lo2 = +(t2 <= 0);
    const hi2 = +(t2 >= 1);
    f1 += stays * (hi1 + (1 - lo1 - hi1) * t1);
    f2 += stays * (hi2 + (1 - lo2 - hi2) * t2);
  }
  res[0] = n;
  res[1] = kept;
  res[2] = head;
  res[3] = linWa;
  res[4] = linLoWa;
  res[5] = steps;
  res[6] = f1;
  res[7] = f2;
}

function solveSums(
  a: ArrayLike<number>,
  w: ArrayLike<number>,
  lambda: number,
  s: number,
  cL: number,
  cR: number,
  res: Float64Array,
): void {
  const m = a.length;
  let head = 0;
  let sumWa = 0;
  let sumW2 = 0;
  // Step groups (lo = hi = cR) occur only when lambda w^2 exceeds ~2^52 (theta jumps 0 -> 1).
  let sumStepWa = 0;
  for (let j = 0; j < m; j++) {
    const x = (a[j] as number) * s;
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
    const isMid = (1 - isHead) * (1 - isTail);
    head += isHead;
    sumStepWa += isTail * +(h <= cR) * waj;
    sumWa += isMid * waj;
    sumW2 += isMid * (wj * wj);
  }
  res[0] = head;
  res[1] = sumWa;
  res[2] = sumW2;
  res[3] = sumStepWa;
}

function solveWrite(
  a: ArrayLike<number>,
  w: ArrayLike<number>,
  lambda: number,
  s: number,
  cL: number,
  cR: number,
  tau: number,
  invS: number,
  residual: number,
  sumStepWa: number,
  out: Float64Array,
): void {
  const m = a.length;
  for (let j = 0; j < m; j++) {
    out[j] = 0;
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
}
