/** The README's examples, executed (keeps the documentation honest). */
import { describeBackends, expectNoLeaks } from '@klevel/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { topKGroups, wgsefGradient, wgsefProx, wgsefValue } from './index';
import { groupLassoProx, groupSquaredNorms, scaleGroups, weightedSefProx, wgsefProxTensors } from './math';

it('host examples', () => {
  const v = [3, 0, 2, 0, 0.5, 0];
  const offsets = [0, 2, 4, 6];
  expect(wgsefValue(v, offsets, { k: 1, weights: [1, 1, 1] })).toBe(15.125);
  expect(Array.from(wgsefProx(v, offsets, { k: 1, lambda: 0.5, weights: [1, 1, 1] }))).toEqual([
    1.75, 0, 0.75, 0, 0, 0,
  ]);
  expect(wgsefGradient(v, offsets, { k: 1 }).length).toBe(6);
  expect(Array.from(weightedSefProx([3, 2, 0.5], { k: 1, lambda: 0.5, weights: [1, 1, 1] }))).toEqual([
    1.75, 0.75, 0,
  ]);
  expect(Array.from(topKGroups([1.75, 0.75, 0], 1))).toEqual([0]);
  expect(Array.from(groupLassoProx(v, offsets, { lambda: 1, weights: [1, 1, 1] }))).toEqual([
    2, 0, 1, 0, 0, 0,
  ]);
});

describeBackends('README tensor example', () => {
  it('runs as documented', async () => {
    const kernel = tf.randomNormal([3, 3, 8, 16]);
    const bias = tf.randomNormal([16]);
    const ids = Int32Array.from({ length: 16 }, (_, o) => o);
    const terms = [
      { tensor: kernel, groupAxes: [3], groupIds: ids },
      { tensor: bias, groupAxes: [0], groupIds: ids },
    ];
    await expectNoLeaks(async () => {
      const { outputs, normsBefore, normsAfter } = await wgsefProxTensors(terms, 16, { k: 4, lambda: 0.05 });
      expect(outputs.map((o) => o.shape)).toEqual([[3, 3, 8, 16], [16]]);
      expect(normsBefore.length).toBe(16);
      expect(normsAfter.filter((t) => t > 0).length).toBeGreaterThanOrEqual(4);
      tf.dispose(outputs);
      expect((await groupSquaredNorms(terms, 16)).length).toBe(16);
      const [k2, b2] = scaleGroups(terms, new Float64Array(16).fill(0.5));
      tf.dispose([k2 as tf.Tensor, b2 as tf.Tensor]);
    });
    tf.dispose([kernel, bias]);
  });
});
