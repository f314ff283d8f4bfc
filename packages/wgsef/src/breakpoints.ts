/**
 * The breakpoints of the weighted SEF prox (docs/concepts/wgsef-math.md#finding-c).
 *
 * Group j enters the prox through `theta_j(c) = clip((c - lo_j) * wa_j, 0, 1)`, a ramp from 0 at
 * `lo_j = lambda w_j^2 / (w_j a_j)` to 1 at `hi_j = (1 + lambda w_j^2) / (w_j a_j)` with slope
 * `wa_j = w_j a_j`. `Phi(c) = sum_j theta_j(c)` is continuous, non-decreasing and piecewise linear, with
 * its kinks at these 2m breakpoints.
 *
 * The norms are scaled by a power of two first (exact), so that the largest is in [1, 2) and the
 * breakpoints of tiny norms stay finite. A group whose norm is 0, or whose breakpoint still overflows
 * (its norm is below float64 resolution relative to the largest), is left out: `wa_j = 0`, output 0.
 */

/** The ramps of every group, indexed by group (length m). */
export interface Breakpoints {
  /** Where theta_j starts to rise (lambda w_j^2 / wa_j). */
  lo: Float64Array;
  /** Where theta_j reaches 1 ((1 + lambda w_j^2) / wa_j). */
  hi: Float64Array;
  /** Slope of the ramp, w_j a_j s; 0 marks a group that is left out. */
  wa: Float64Array;
  /** Number of groups not left out. */
  count: number;
  /** The power of two the norms were multiplied by. */
  scale: number;
}

/** The power of two s that brings `max` (> 0, finite) into [1, 2), within [2^-1000, 2^1000]. */
export function powerOfTwoScale(max: number): number {
  const e = Math.max(-1000, Math.min(1000, Math.floor(Math.log2(max))));
  return 2 ** -e;
}

/** Float64 arrays reused across calls (the prox is synchronous, so one set serves every call). */
export class Scratch {
  private readonly arrays: Float64Array[] = [];

  /** Array number `slot`, `length` long (its contents are whatever the last user left). */
  get(slot: number, length: number): Float64Array {
    let a = this.arrays[slot];
    if (a === undefined || a.length < length) {
      a = new Float64Array(Math.max(length, 1024));
      this.arrays[slot] = a;
    }
    return a.subarray(0, length);
  }
}

const breakpointScratch = new Scratch();

/**
 * The breakpoints of every group for norms `a` (>= 0, max > 0), weights `w` and penalty `lambda` > 0.
 * The arrays are scratch: valid until the next call.
 */
export function groupBreakpoints(
  a: ArrayLike<number>,
  w: ArrayLike<number>,
  lambda: number,
  maxNorm: number,
): Breakpoints {
  const m = a.length;
  const s = powerOfTwoScale(maxNorm);
  const lo = breakpointScratch.get(0, m);
  const hi = breakpointScratch.get(1, m);
  const wa = breakpointScratch.get(2, m);
  let count = 0;
  for (let j = 0; j < m; j++) {
    const wj = w[j] as number;
    const slope = wj * ((a[j] as number) * s);
    const ridge = lambda * wj * wj;
    const start = ridge / slope;
    const end = (1 + ridge) / slope;
    if (slope > 0 && Number.isFinite(end)) {
      lo[j] = start;
      hi[j] = end;
      wa[j] = slope;
      count++;
    } else {
      lo[j] = 0;
      hi[j] = 0;
      wa[j] = 0;
    }
  }
  return { lo, hi, wa, count, scale: s };
}

/** theta(c) = clip((c - lo) * wa, 0, 1) for one ramp. */
export function rampAt(c: number, lo: number, wa: number): number {
  const t = (c - lo) * wa;
  if (t <= 0) return 0;
  if (t >= 1) return 1;
  return t;
}

/** Phi(c) over the first `n` ramps of (lo, wa). */
export function phiAt(c: number, lo: Float64Array, wa: Float64Array, n: number): number {
  let sum = 0;
  for (let j = 0; j < n; j++) sum += rampAt(c, lo[j] as number, wa[j] as number);
  return sum;
}
