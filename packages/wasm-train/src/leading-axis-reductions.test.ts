/**
 * Sum, Mean and Tile on wasm with the klevel kernels (leading-axis reductions and broadcasting tiles on
 * XNNPACK, everything else forwarded to the stock kernels) against the stock cpu kernels: every leading-axis
 * split of rank 2 to 4, keepDims, negative and unordered axes, the stock-path cases (inner and mixed axes,
 * int32), the shapes of a VGG-small BatchNorm step; no leaked tensors or backend buffers.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { maxRelativeError, runKernelValues, seededArray, useBackend, withStockCpu } from '../test/helpers';
import { broadcastSplit, leadingSplit } from './leading-axis-reductions';
import { isTrainingKernelsRegistered } from './training-kernels';

interface Case {
  label: string;
  kernel: 'Sum' | 'Mean' | 'Tile';
  shape: number[];
  dtype: 'float32' | 'int32';
  attrs: Record<string, unknown>;
  values: Float32Array | Int32Array;
  ref?: { values: Float32Array; shape: number[] };
}

function cases(): Case[] {
  const out: Case[] = [];
  const add = (
    kernel: Case['kernel'],
    shape: number[],
    attrs: Record<string, unknown>,
    dtype: Case['dtype'] = 'float32',
  ) => {
    const size = tf.util.sizeFromShape(shape);
    const f = seededArray(size, out.length + 1);
    const values = dtype === 'int32' ? Int32Array.from(f, (v) => Math.round(v * 50)) : f;
    out.push({
      label: `${kernel} [${shape}] ${JSON.stringify(attrs)} ${dtype}`,
      kernel,
      shape,
      dtype,
      attrs,
      values,
    });
  };
  for (const kernel of ['Sum', 'Mean'] as const) {
    for (const keepDims of [false, true]) {
      add(kernel, [64, 10], { axis: [0], keepDims }); // dense bias gradient
      add(kernel, [7, 3, 5, 4], { axis: [0, 1, 2], keepDims }); // conv bias / BatchNorm
      add(kernel, [7, 3, 5, 4], { axis: [0, 1], keepDims });
      add(kernel, [7, 3, 5, 4], { axis: [0], keepDims });
      add(kernel, [7, 3, 5, 4], { axis: [2, 0, 1], keepDims });
      add(kernel, [7, 3, 5, 4], { axis: [-4, -3], keepDims });
      add(kernel, [7, 3, 5, 4], { axis: 0, keepDims });
      add(kernel, [1, 6, 1, 5], { axis: [0, 1, 2], keepDims }); // size-1 axes
      add(kernel, [16, 12, 12, 24], { axis: [0, 1, 2], keepDims }); // larger
      // stock-path cases
      add(kernel, [7, 3, 5, 4], { axis: [3], keepDims });
      add(kernel, [7, 3, 5, 4], { axis: [1, 2], keepDims });
      add(kernel, [7, 3, 5, 4], { axis: [0, 2], keepDims });
      add(kernel, [7, 3, 5, 4], { axis: [0, 1, 2, 3], keepDims });
      add(kernel, [7, 3, 5, 4], { axis: null, keepDims });
      add(kernel, [1, 5], { axis: [0], keepDims });
      add(kernel, [7, 3, 5, 4], { axis: [0, 1, 2], keepDims }, 'int32');
    }
  }
  add('Tile', [1, 1, 1, 6], { reps: [5, 4, 3, 1] }); // BatchNorm gradient
  add('Tile', [1, 4], { reps: [3, 1] });
  add('Tile', [1, 1, 2, 3], { reps: [2, 3, 1, 1] });
  add('Tile', [1, 1, 1, 32], { reps: [8, 14, 14, 1] });
  // stock-path cases
  add('Tile', [2, 3], { reps: [2, 2] });
  add('Tile', [1, 3], { reps: [2, 2] });
  add('Tile', [3, 1], { reps: [1, 4] });
  add('Tile', [1, 1, 3], { reps: [2, 2, 1] }, 'int32');
  return out;
}

function run(c: Case): { values: Float32Array; shape: number[] } {
  return runKernelValues(c.kernel, { x: { values: c.values, shape: c.shape, dtype: c.dtype } }, c.attrs);
}

const all = cases();

describe('leadingSplit and broadcastSplit', () => {
  it('recognise exactly the leading-axis reductions and the leading broadcasts', () => {
    expect(leadingSplit([64, 28, 28, 32], [0, 1, 2])).toEqual([50176, 32, 3]);
    expect(leadingSplit([64, 28, 28, 32], [2, 1, 0])).toEqual([50176, 32, 3]);
    expect(leadingSplit([64, 28, 28, 32], -4)).toEqual([64, 25088, 1]);
    expect(leadingSplit([64, 28, 28, 32], [1, 2])).toBeUndefined();
    expect(leadingSplit([64, 28, 28, 32], [0, 1, 2, 3])).toBeUndefined();
    expect(leadingSplit([1, 1, 5], [0, 1])).toBeUndefined();
    expect(leadingSplit([4, 5], null)).toBeUndefined(); // tf.sum(x): every axis
    expect(leadingSplit([4, 5], undefined)).toBeUndefined();
    expect(broadcastSplit([1, 1, 1, 32], [64, 28, 28, 1])).toEqual([50176, 32]);
    expect(broadcastSplit([1, 32], [1, 1])).toBeUndefined();
    expect(broadcastSplit([2, 32], [2, 1])).toBeUndefined();
    expect(broadcastSplit([1, 32], [2, 2])).toBeUndefined();
  });
});

describe('Sum, Mean, Tile (wasm + klevel) vs cpu', () => {
  beforeAll(async () => {
    await withStockCpu(() => {
      for (const c of all) c.ref = run(c);
    });
    await useBackend('wasm');
  });

  it.each(all.map((c) => [c.label, c] as const))('%s', (_name, c) => {
    expect(tf.getBackend()).toBe('wasm');
    expect(isTrainingKernelsRegistered('wasm')).toBe(true);
    const ours = run(c);
    expect(ours.shape).toEqual(c.ref?.shape);
    expect(maxRelativeError(ours.values, c.ref?.values as Float32Array)).toBeLessThanOrEqual(1e-5);
  });

  it('gives the same result for one tensor reduced under two different reshapes (no stale XNNPACK operator)', () => {
    const x = tf.tensor4d(seededArray(4 * 3 * 5 * 2, 99), [4, 3, 5, 2]);
    const a = tf.sum(x, [0]); // [outer 4, inner 30]
    const b = tf.sum(x, [0, 1, 2]); // [outer 60, inner 2], same tensor id
    const c = tf.sum(tf.reshape(x, [12, 10]), [0]); // [outer 12, inner 10]
    const xs = x.arraySync() as number[][][][];
    const want = [0, 1].map((ch) => xs.flat(2).reduce((s, v) => s + (v[ch] as number), 0));
    expect(a.shape).toEqual([3, 5, 2]);
    expect(maxRelativeError(b.dataSync(), want)).toBeLessThanOrEqual(1e-5);
    expect(maxRelativeError(tf.sum(a, [0, 1]).dataSync(), want)).toBeLessThanOrEqual(1e-5);
    expect(c.shape).toEqual([10]);
    tf.dispose([x, a, b, c]);
  });

  it('serves BatchNorm training steps without leaking tensors or backend buffers', () => {
    const x = tf.tensor4d(seededArray(8 * 6 * 6 * 4, 5), [8, 6, 6, 4]);
    const gamma = tf.variable(tf.ones([4]));
    const beta = tf.variable(tf.zeros([4]));
    const step = () =>
      tf.variableGrads(() => {
        const { mean, variance } = tf.moments(x, [0, 1, 2]);
        return tf.sum(tf.square(tf.batchNorm(x, mean, variance, beta, gamma, 1e-3))) as tf.Scalar;
      }, [gamma, beta]);
    const first = step();
    tf.dispose([first.value, ...Object.values(first.grads)]);
    const tensors = tf.memory().numTensors;
    const buffers = tf.memory().numDataBuffers;
    for (let i = 0; i < 20; i++) {
      const r = step();
      tf.dispose([r.value, ...Object.values(r.grads)]);
    }
    expect(tf.memory().numTensors).toBe(tensors);
    expect(tf.memory().numDataBuffers).toBe(buffers);
    tf.dispose([x, gamma, beta]);
  });
});
