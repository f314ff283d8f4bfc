/**
 * BatchMatMul on wasm with the klevel composite (transposed operands multiplied untransposed on XNNPACK)
 * against the stock cpu kernel: every transpose combination, rank 2 and 3, broadcast batch dimensions,
 * shapes with tails; the dense-layer gradients it serves; no leaked tensors or backend buffers.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { maxRelativeError, runKernelValues, seededArray, useBackend, withStockCpu } from '../test/helpers';
import { isTrainingKernelsRegistered } from './training-kernels';

interface Case {
  aShape: number[];
  bShape: number[];
  transposeA: boolean;
  transposeB: boolean;
  a: Float32Array;
  b: Float32Array;
  ref?: { values: Float32Array; shape: number[] };
}

function cases(): Case[] {
  const out: Case[] = [];
  // [batch..., M, K] x [batch..., K, N] before transposition
  const dims: Array<[number[], number[], number, number, number]> = [
    [[], [], 3, 4, 5],
    [[], [], 64, 300, 10],
    [[], [], 17, 33, 9],
    [[2], [2], 5, 7, 3],
    [[1], [3], 4, 6, 2], // broadcast batch
    [[3], [1], 4, 6, 2],
  ];
  for (const [ba, bb, M, K, N] of dims) {
    for (const transposeA of [false, true]) {
      for (const transposeB of [false, true]) {
        const aShape = [...ba, ...(transposeA ? [K, M] : [M, K])];
        const bShape = [...bb, ...(transposeB ? [N, K] : [K, N])];
        out.push({
          aShape,
          bShape,
          transposeA,
          transposeB,
          a: seededArray(tf.util.sizeFromShape(aShape), out.length * 2 + 1),
          b: seededArray(tf.util.sizeFromShape(bShape), out.length * 2 + 2),
        });
      }
    }
  }
  return out;
}

function run(c: Case): { values: Float32Array; shape: number[] } {
  return runKernelValues(
    'BatchMatMul',
    { a: { values: c.a, shape: c.aShape }, b: { values: c.b, shape: c.bShape } },
    { transposeA: c.transposeA, transposeB: c.transposeB },
  );
}

const all = cases();

describe('BatchMatMul (wasm + klevel) vs cpu', () => {
  beforeAll(async () => {
    await withStockCpu(() => {
      for (const c of all) c.ref = run(c);
    });
    await useBackend('wasm');
  });

  it.each(
    all.map(
      (c) => [`[${c.aShape}]${c.transposeA ? 'T' : ''} x [${c.bShape}]${c.transposeB ? 'T' : ''}`, c] as const,
    ),
  )('%s', (_name, c) => {
    expect(tf.getBackend()).toBe('wasm');
    expect(isTrainingKernelsRegistered('wasm')).toBe(true);
    const ours = run(c);
    expect(ours.shape).toEqual(c.ref?.shape);
    expect(maxRelativeError(ours.values, c.ref?.values as Float32Array)).toBeLessThanOrEqual(1e-5);
  });

  it('serves dense-layer gradients without leaking tensors or backend buffers', () => {
    const w = tf.variable(tf.tensor2d(seededArray(40 * 7, 3), [40, 7]));
    const x = tf.tensor2d(seededArray(16 * 40, 4), [16, 40]);
    const grad = () => {
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(tf.matMul(x, w))) as tf.Scalar, [w]);
      return { value, g: grads[w.name] as tf.Tensor };
    };
    // reference: dW = 2 x^T (x w)
    const ref = tf.tidy(() => tf.mul(2, tf.matMul(tf.transpose(x), tf.matMul(x, w))));
    const first = grad();
    expect(maxRelativeError(first.g.dataSync(), ref.dataSync())).toBeLessThanOrEqual(1e-5);
    tf.dispose([first.value, first.g]);
    const tensors = tf.memory().numTensors;
    const buffers = tf.memory().numDataBuffers;
    for (let i = 0; i < 50; i++) {
      const r = grad();
      tf.dispose([r.value, r.g]);
    }
    expect(tf.memory().numTensors).toBe(tensors);
    expect(tf.memory().numDataBuffers).toBe(buffers);
    tf.dispose([w, x, ref]);
  });
});
