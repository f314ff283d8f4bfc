/**
 * The wasm stale-shape bug: a `tf.gather` result used as a FusedConv2D bias fails on wasm 4.22;
 * `gatherSafe` fixes it and matches the cpu result.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { maxRelativeError, seededArray, useBackend } from '../test/helpers';
import { gatherSafe } from './index';

const keep = [0, 2, 3, 5];

function prunedConv(gather: (b: tf.Tensor1D) => tf.Tensor1D): Float32Array {
  let out: Float32Array | undefined;
  tf.tidy(() => {
    const x = tf.tensor4d(seededArray(2 * 7 * 7 * 3, 1), [2, 7, 7, 3]);
    const filter = tf.gather(
      tf.tensor4d(seededArray(3 * 3 * 3 * 6, 2), [3, 3, 3, 6]),
      keep,
      3,
    ) as tf.Tensor4D;
    const bias = gather(tf.tensor1d([0.1, -0.2, 0.3, 0.4, -0.5, 0.6]));
    const y = tf.fused.conv2d({
      x,
      filter: tf.clone(filter),
      bias,
      activation: 'relu',
      pad: 'same',
      strides: 1,
    });
    out = Float32Array.from(y.dataSync());
  });
  return out as Float32Array;
}

describe('gatherSafe', () => {
  let reference: Float32Array;
  beforeAll(async () => {
    await useBackend('cpu');
    reference = prunedConv((b) => tf.gather(b, keep));
    await useBackend('wasm');
  });

  it('reproduces the wasm bug with plain tf.gather', () => {
    expect(() => prunedConv((b) => tf.gather(b, keep))).toThrow(
      /FusedConv2D only supports rank-1 bias but got rank 4/,
    );
  });

  it('gives the cpu result with gatherSafe and leaks nothing', () => {
    const before = tf.memory().numTensors;
    const ours = prunedConv((b) => gatherSafe(b, keep));
    expect(tf.memory().numTensors).toBe(before);
    expect(maxRelativeError(ours, reference)).toBeLessThanOrEqual(1e-6);
  });

  it('has tf.gather semantics (axis, values, dtype) and disposes the intermediate', () => {
    const x = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
    const before = tf.memory().numTensors;
    const g = gatherSafe(x, [2, 0], 1);
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(g.shape).toEqual([2, 2]);
    expect(Array.from(g.dataSync())).toEqual([3, 1, 6, 4]);
    tf.dispose([x, g]);
  });
});
