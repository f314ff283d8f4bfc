import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { describeBackends, expectNoLeaks, maxRelativeDifference, seededRandom } from './index';

describe('maxRelativeDifference', () => {
  it('is 0 for equal arrays and positive otherwise', () => {
    expect(maxRelativeDifference([1, 2, 3], [1, 2, 3])).toBe(0);
    expect(maxRelativeDifference([1, 2, 3.3], [1, 2, 3])).toBeCloseTo(0.1, 10);
    expect(maxRelativeDifference([Number.NaN], [1])).toBe(Number.POSITIVE_INFINITY);
  });
  it('seededRandom is deterministic', () => {
    const a = seededRandom(3);
    const b = seededRandom(3);
    expect([a(), a(), a()]).toEqual([b(), b(), b()]);
  });
});

describeBackends('expectNoLeaks', (backend) => {
  it('passes for a tidy body and fails for a leak', async () => {
    expect(tf.getBackend()).toBe(backend);
    await expectNoLeaks(() => tf.tidy(() => tf.sum(tf.add(tf.ones([3]), 1)).dataSync()));
    const leaked: tf.Tensor[] = [];
    await expect(expectNoLeaks(() => void leaked.push(tf.ones([2])))).rejects.toThrow(/tensor leak/);
    for (const t of leaked) t.dispose();
  });
});
