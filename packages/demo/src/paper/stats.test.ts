import { describe, expect, it } from 'vitest';
import { meanStd } from './stats';

describe('meanStd', () => {
  it('computes the mean and the sample standard deviation', () => {
    const m = meanStd([2, 4, 4, 4, 5, 5, 7, 9]);
    expect(m.mean).toBe(5);
    expect(m.std).toBeCloseTo(Math.sqrt(32 / 7), 12);
    expect(m.n).toBe(8);
  });

  it('has zero spread for one value and rejects empty or non-finite input', () => {
    expect(meanStd([0.9])).toEqual({ mean: 0.9, std: 0, n: 1 });
    expect(() => meanStd([])).toThrow(/empty list/);
    expect(() => meanStd([1, Number.NaN])).toThrow(/finite/);
  });
});
