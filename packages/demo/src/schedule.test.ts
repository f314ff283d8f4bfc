import { describe, expect, it } from 'vitest';
import { splitPool } from './data';
import { cosineLearningRate } from './schedule';

describe('cosineLearningRate', () => {
  it('starts at max, ends at min, passes the midpoint halfway, and is monotone', () => {
    expect(cosineLearningRate(0, 100, 0.05, 0.001)).toBeCloseTo(0.05, 12);
    expect(cosineLearningRate(50, 100, 0.05, 0.001)).toBeCloseTo(0.0255, 12);
    expect(cosineLearningRate(100, 100, 0.05, 0.001)).toBeCloseTo(0.001, 12);
    expect(cosineLearningRate(150, 100, 0.05, 0.001)).toBeCloseTo(0.001, 12);
    let prev = Number.POSITIVE_INFINITY;
    for (let s = 0; s <= 100; s++) {
      const lr = cosineLearningRate(s, 100, 0.05, 0.001);
      expect(lr).toBeLessThanOrEqual(prev);
      prev = lr;
    }
  });

  it('rejects a non-positive number of steps', () => {
    expect(() => cosineLearningRate(0, 0, 0.1, 0)).toThrow(/totalSteps must be > 0/);
  });
});

describe('splitPool', () => {
  it('takes the validation slice first and at most a tenth of the pool', () => {
    expect(splitPool(60000, 8192, 1000)).toEqual({ train: 8192, val: 1000 });
    expect(splitPool(60000, null, 5000)).toEqual({ train: 55000, val: 5000 });
    expect(splitPool(2000, 8192, 1000)).toEqual({ train: 1800, val: 200 });
    expect(splitPool(2000, 256, 0)).toEqual({ train: 256, val: 0 });
  });
});
