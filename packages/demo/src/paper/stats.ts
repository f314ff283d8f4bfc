/** Mean and sample standard deviation over seeds. Pure. */

/** Mean and sample standard deviation (n - 1; 0 for a single value). */
export interface MeanStd {
  mean: number;
  std: number;
  n: number;
}

/** Mean and sample standard deviation of `values`. Throws on an empty list or a non-finite value. */
export function meanStd(values: readonly number[]): MeanStd {
  if (values.length === 0) {
    throw new RangeError('meanStd: expected at least one value, got an empty list.');
  }
  for (const v of values) {
    if (!Number.isFinite(v)) throw new RangeError(`meanStd: expected finite numbers, got ${v}.`);
  }
  const n = values.length;
  const mean = values.reduce((s, v) => s + v, 0) / n;
  if (n === 1) return { mean, std: 0, n };
  const ss = values.reduce((s, v) => s + (v - mean) ** 2, 0);
  return { mean, std: Math.sqrt(ss / (n - 1)), n };
}
