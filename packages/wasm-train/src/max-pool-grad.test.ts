/**
 * MaxPoolGrad on wasm with the klevel kernel (non-overlapping windows on XNNPACK, every other geometry on the
 * stock kernel) against tfjs' cpu kernel: windows 2x2, 3x3, 2x1, 1x3, 'valid' and 'same', batch 1 to 5,
 * channels 1 to 32, inputs full of ties (ReLU zeros, repeated maxima) where the stock wasm kernel and the cpu
 * kernel disagree; the stock-path geometries; no leaked tensors or backend buffers.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { maxRelativeError, runKernelValues, seededArray, useBackend, withStockCpu } from '../test/helpers';
import { tilingWindow } from './max-pool-grad';
import { isTrainingKernelsRegistered } from './training-kernels';

interface Case {
  label: string;
  xShape: [number, number, number, number];
  attrs: { filterSize: [number, number]; strides: [number, number]; pad: 'valid' | 'same' };
  x: Float32Array;
  dy: Float32Array;
  dyShape: number[];
  tiled: boolean;
  ref?: Float32Array;
}

function cases(): Case[] {
  const out: Case[] = [];
  const add = (
    xShape: Case['xShape'],
    filterSize: [number, number],
    strides: [number, number],
    pad: 'valid' | 'same',
    ties: boolean,
  ) => {
    const attrs = { filterSize, strides, pad };
    const info = tf.backend_util.computePool2DInfo(xShape, filterSize, strides, 1, pad);
    const dyShape = [xShape[0], info.outHeight, info.outWidth, xShape[3]];
    const i = out.length;
    const raw = seededArray(tf.util.sizeFromShape(xShape), 100 + 2 * i);
    const tiled = tilingWindow(xShape, attrs) != null;
    // Ties: ReLU-like zeros and values on a coarse grid, so most windows hold repeated maxima. The stock-path
    // cases get positive values: the stock wasm kernel starts each window's search at the smallest positive
    // float, so it misroutes the gradient of windows with no value above it (and breaks ties unlike cpu).
    const x = ties ? raw.map((v) => Math.max(0, Math.round(v * 3))) : tiled ? raw : raw.map((v) => v + 2);
    out.push({
      label: `x[${xShape}] ${filterSize.join('x')}/${strides.join('x')} ${pad}${ties ? ' ties' : ''}`,
      xShape,
      attrs,
      x,
      dy: seededArray(tf.util.sizeFromShape(dyShape), 101 + 2 * i),
      dyShape,
      tiled,
    });
  };
  for (const ties of [true, false]) {
    add([2, 4, 6, 3], [2, 2], [2, 2], 'valid', ties);
    add([1, 4, 4, 1], [2, 2], [2, 2], 'same', ties); // batch 1, 'same' resolving to no padding
    add([5, 6, 9, 2], [3, 3], [3, 3], 'valid', ties);
    add([3, 8, 6, 4], [2, 1], [2, 1], 'valid', ties);
    add([2, 5, 6, 3], [1, 3], [1, 3], 'same', ties);
    add([1, 28, 28, 4], [2, 2], [2, 2], 'valid', ties); // VGG-small pool1 geometry
    add([2, 14, 14, 8], [2, 2], [2, 2], 'same', ties);
  }
  // stock-path geometries
  add([2, 7, 7, 3], [3, 3], [2, 2], 'valid', false); // overlapping
  add([2, 5, 5, 3], [2, 2], [2, 2], 'valid', false); // 5 not a multiple of 2
  add([2, 5, 5, 3], [2, 2], [2, 2], 'same', false); // padded
  add([2, 6, 6, 3], [2, 2], [1, 1], 'valid', false); // stride 1
  add([2, 6, 6, 3], [1, 1], [1, 1], 'valid', false); // 1x1
  return out;
}

function run(c: Case): { values: Float32Array; shape: number[] } {
  return runKernelValues(
    'MaxPoolGrad',
    { dy: { values: c.dy, shape: c.dyShape }, input: { values: c.x, shape: c.xShape } },
    c.attrs,
  );
}

const all = cases();

describe('tilingWindow', () => {
  it('accepts exactly the non-overlapping, unpadded windows that tile the input', () => {
    expect(tilingWindow([64, 28, 28, 32], { filterSize: 2, strides: 2, pad: 'valid' })).toEqual([2, 2]);
    expect(tilingWindow([64, 28, 28, 32], { filterSize: 2, strides: 2, pad: 'same' })).toEqual([2, 2]);
    expect(tilingWindow([1, 6, 4, 1], { filterSize: [3, 2], strides: [3, 2], pad: 'valid' })).toEqual([3, 2]);
    expect(tilingWindow([1, 4, 4, 1], { filterSize: 2, strides: 2, pad: 0 })).toEqual([2, 2]);
    expect(tilingWindow([64, 27, 28, 32], { filterSize: 2, strides: 2, pad: 'valid' })).toBeUndefined();
    expect(tilingWindow([64, 27, 28, 32], { filterSize: 2, strides: 2, pad: 'same' })).toBeUndefined();
    expect(tilingWindow([64, 28, 28, 32], { filterSize: 3, strides: 2, pad: 'valid' })).toBeUndefined();
    expect(tilingWindow([64, 28, 28, 32], { filterSize: 2, strides: 1, pad: 'valid' })).toBeUndefined();
    expect(tilingWindow([64, 28, 28, 32], { filterSize: 2, strides: 2, pad: 1 })).toBeUndefined();
    expect(tilingWindow([64, 28, 28, 32], { filterSize: 1, strides: 1, pad: 'valid' })).toBeUndefined();
  });
});

describe('MaxPoolGrad (wasm + klevel) vs cpu', () => {
  beforeAll(async () => {
    await withStockCpu(() => {
      for (const c of all) c.ref = run(c).values;
    });
    await useBackend('wasm');
  });

  it('covers both paths', () => {
    expect(all.filter((c) => c.tiled).length).toBe(14);
    expect(all.filter((c) => !c.tiled).length).toBe(5);
  });

  it.each(all.map((c) => [c.label, c] as const))('%s', (_name, c) => {
    expect(tf.getBackend()).toBe('wasm');
    expect(isTrainingKernelsRegistered('wasm')).toBe(true);
    const ours = run(c);
    expect(ours.shape).toEqual(c.xShape);
    expect(maxRelativeError(ours.values, c.ref as Float32Array)).toBeLessThanOrEqual(1e-5);
    // Bit for bit (-0 and +0 alike) on the klevel path.
    if (c.tiled)
      expect(Array.from(ours.values, (v) => v + 0)).toEqual(Array.from(c.ref as Float32Array, (v) => v + 0));
  });

  it('trains through tf.maxPool without leaking tensors or backend buffers', () => {
    const x = tf.tensor4d(
      seededArray(4 * 8 * 8 * 3, 7).map((v) => Math.max(0, v)),
      [4, 8, 8, 3],
    );
    const step = () =>
      tf.grad((t: tf.Tensor) => tf.sum(tf.square(tf.maxPool(t as tf.Tensor4D, 2, 2, 'valid'))))(x);
    tf.dispose(step());
    const tensors = tf.memory().numTensors;
    const buffers = tf.memory().numDataBuffers;
    for (let i = 0; i < 10; i++) tf.dispose(step());
    expect(tf.memory().numTensors).toBe(tensors);
    expect(tf.memory().numDataBuffers).toBe(buffers);
    tf.dispose(x);
  });
});
