/** Summary statistics of repeated latency measurements. Pure functions, no tensors. */

/** Summary of a sample of run times, in milliseconds. */
export interface LatencyStats {
  /** Number of samples. */
  n: number;
  median: number;
  /** 10th percentile (linear interpolation between order statistics). */
  p10: number;
  /** 90th percentile. */
  p90: number;
  mean: number;
  /** Sample standard deviation (n - 1 denominator; 0 for a single sample). */
  std: number;
  min: number;
  max: number;
}

/**
 * The q-quantile of an ascending-sorted sample with linear interpolation between closest ranks (the default of
 * numpy and R type 7): position `h = (n - 1) q`, value `x[floor h] + (h - floor h)(x[floor h + 1] - x[floor h])`.
 *
 * @param sorted - ascending values (not checked for order).
 * @param q - quantile in [0, 1].
 * @example
 * quantileSorted([1, 2, 3, 4], 0.5); // 2.5
 */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0)
    throw new RangeError('quantileSorted: the sample is empty; measure at least one run');
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantileSorted: q must be in [0, 1], received ${q}`);
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  const a = sorted[lo]!;
  return a + (h - lo) * (sorted[hi]! - a);
}

/**
 * Median, p10, p90, mean, sample standard deviation, min and max of `times`.
 *
 * @param times - run times (any unit; klevel uses milliseconds). Must be non-empty and finite.
 * @example
 * summarize([3, 1, 2]); // { n: 3, median: 2, p10: 1.2, p90: 2.8, mean: 2, std: 1, min: 1, max: 3 }
 */
export function summarize(times: ArrayLike<number>): LatencyStats {
  const n = times.length;
  if (n === 0) throw new RangeError('summarize: no run times were recorded; run at least once');
  const sorted = Float64Array.from(times).sort();
  for (const t of sorted) {
    if (!Number.isFinite(t))
      throw new RangeError(`summarize: run times must be finite numbers, received ${t}`);
  }
  let sum = 0;
  for (const t of sorted) sum += t;
  const mean = sum / n;
  let ss = 0;
  for (const t of sorted) ss += (t - mean) ** 2;
  return {
    n,
    median: quantileSorted(sorted, 0.5),
    p10: quantileSorted(sorted, 0.1),
    p90: quantileSorted(sorted, 0.9),
    mean,
    std: n > 1 ? Math.sqrt(ss / (n - 1)) : 0,
    min: sorted[0]!,
    max: sorted[n - 1]!,
  };
}

/**
 * Relative spread `(max - min) / median` of a summary; {@link isNoisy} flags it when above a threshold.
 *
 * @example
 * relativeSpread(summarize([9, 10, 15])); // 0.6
 */
export function relativeSpread(stats: LatencyStats): number {
  return stats.median > 0 ? (stats.max - stats.min) / stats.median : 0;
}

/**
 * True when the min-max spread is wide relative to the median (default threshold 0.5, i.e. the slowest run is
 * more than half a median slower than the fastest): such a cell's median deserves less trust, re-run it with
 * more runs or on a quieter machine.
 */
export function isNoisy(stats: LatencyStats, threshold = 0.5): boolean {
  return relativeSpread(stats) > threshold;
}
