import { describe, expect, it } from 'vitest';
import { isNoisy, quantileSorted, relativeSpread, summarize } from './stats';

describe('latency statistics', () => {
  it('computes quantiles with linear interpolation (numpy default)', () => {
    expect(quantileSorted([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantileSorted([10], 0.9)).toBe(10);
    // numpy.percentile(np.arange(1, 11), [10, 90]) == [1.9, 9.1]
    const xs = Array.from({ length: 10 }, (_, i) => i + 1);
    expect(quantileSorted(xs, 0.1)).toBeCloseTo(1.9, 12);
    expect(quantileSorted(xs, 0.9)).toBeCloseTo(9.1, 12);
    expect(() => quantileSorted([], 0.5)).toThrow(/empty/);
    expect(() => quantileSorted([1], 1.5)).toThrow(/q must be in \[0, 1\], received 1.5/);
  });

  it('summarizes a known sample regardless of order', () => {
    const s = summarize([3, 1, 2]);
    expect(s.n).toBe(3);
    expect(s.median).toBe(2);
    expect(s.mean).toBe(2);
    expect(s.std).toBe(1); // sample std
    expect(s.min).toBe(1);
    expect(s.max).toBe(3);
    expect(s.p10).toBeCloseTo(1.2, 12);
    expect(s.p90).toBeCloseTo(2.8, 12);
    const t = summarize([2, 4, 4, 4, 5, 5, 7, 9]);
    expect(t.mean).toBe(5);
    expect(t.std).toBeCloseTo(Math.sqrt(32 / 7), 12);
    expect(t.median).toBe(4.5);
    expect(summarize([7]).std).toBe(0);
  });

  it('rejects empty and non-finite samples', () => {
    expect(() => summarize([])).toThrow(/no run times/);
    expect(() => summarize([1, Number.NaN])).toThrow(/finite/);
  });

  it('flags a wide min-max spread as noisy', () => {
    expect(relativeSpread(summarize([9, 10, 15]))).toBeCloseTo(0.6, 12);
    expect(isNoisy(summarize([9, 10, 15]))).toBe(true);
    expect(isNoisy(summarize([9.5, 10, 10.4]))).toBe(false);
    expect(isNoisy(summarize([9, 10, 15]), 0.7)).toBe(false);
  });
});
