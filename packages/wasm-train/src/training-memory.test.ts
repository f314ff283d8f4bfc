/**
 * 300 `model.fit` steps on wasm with every klevel kernel in the graph (strided conv, depthwise,
 * BatchNorm, embedding): no growth in engine tensors, backend buffers (which the composites
 * allocate below the engine) or the wasm heap.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { seededArray, useBackend } from '../test/helpers';

interface Snapshot {
  tensors: number;
  bytes: number;
  dataIds: number;
  heap: number;
}

function snapshot(): Snapshot {
  const backend = tf.backend() as tf.KernelBackend & { wasm?: { HEAPU8: Uint8Array } };
  return {
    tensors: tf.memory().numTensors,
    bytes: tf.memory().numBytes,
    dataIds: backend.numDataIds(),
    heap: backend.wasm?.HEAPU8.length ?? -1,
  };
}

function model(): tfl.LayersModel {
  const image = tfl.input({ shape: [12, 12, 1] });
  const tokens = tfl.input({ shape: [6] });
  let a = tfl.layers
    .conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'same', useBias: false })
    .apply(image) as tfl.SymbolicTensor;
  a = tfl.layers.batchNormalization().apply(a) as tfl.SymbolicTensor;
  a = tfl.layers
    .depthwiseConv2d({ kernelSize: 3, padding: 'same', activation: 'relu' })
    .apply(a) as tfl.SymbolicTensor;
  a = tfl.layers
    .conv2d({ filters: 8, kernelSize: 3, strides: 2, activation: 'relu' })
    .apply(a) as tfl.SymbolicTensor;
  a = tfl.layers.flatten().apply(a) as tfl.SymbolicTensor;
  let b = tfl.layers.embedding({ inputDim: 30, outputDim: 4 }).apply(tokens) as tfl.SymbolicTensor;
  b = tfl.layers.flatten().apply(b) as tfl.SymbolicTensor;
  const merged = tfl.layers.concatenate().apply([a, b]) as tfl.SymbolicTensor;
  const out = tfl.layers.dense({ units: 5, activation: 'softmax' }).apply(merged) as tfl.SymbolicTensor;
  return tfl.model({ inputs: [image, tokens], outputs: out });
}

describe('memory over 300 training steps on wasm', () => {
  beforeAll(async () => useBackend('wasm'));

  it('stays flat', async () => {
    const m = model();
    m.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
    const steps = 300;
    const batch = 8;
    const n = steps * batch;
    const xs = tf.tensor4d(seededArray(n * 144, 1), [n, 12, 12, 1]);
    const ids = tf.tensor2d(
      Array.from(seededArray(n * 6, 2), (v) => Math.floor((v + 1) * 14.9)),
      [n, 6],
    );
    const ys = tf.oneHot(
      tf.tensor1d(
        Array.from({ length: n }, (_, i) => i % 5),
        'int32',
      ),
      5,
    );
    const snaps: Snapshot[] = [];
    const losses: number[] = [];
    await m.fit([xs, ids], ys, {
      batchSize: batch,
      epochs: 1,
      shuffle: false,
      verbose: 0,
      callbacks: new tfl.CustomCallback({
        onBatchEnd: async (step, logs) => {
          losses.push(logs?.loss as number);
          if (step === 19 || step === steps - 1) snaps.push(snapshot());
        },
      }),
    });
    expect(losses).toHaveLength(steps);
    expect(losses.every(Number.isFinite)).toBe(true);
    const [early, late] = snaps as [Snapshot, Snapshot];
    expect(late.heap).toBeGreaterThan(0);
    expect(late).toEqual(early);
    tf.dispose([xs, ids, ys]);
    m.dispose();
  });
});
