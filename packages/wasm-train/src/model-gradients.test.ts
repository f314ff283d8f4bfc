/**
 * Whole-model gradients on wasm (klevel kernels) equal the cpu backend's (stock kernels):
 * LeNet-5, a VGG block with BatchNorm (incl. a strided conv), a depthwise-separable block and an
 * Embedding model. Weights and data are seeded; the same variables are used on both backends.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maxRelativeError, seededArray, useBackend, withStockCpu } from '../test/helpers';

const TOL = 1e-4;

interface Spec {
  name: string;
  build: () => tfl.LayersModel;
  input: (seed: number) => tf.Tensor;
  classes: number;
  batch: number;
}

function lenet(): tfl.LayersModel {
  return tfl.sequential({
    layers: [
      tfl.layers.conv2d({
        inputShape: [28, 28, 1],
        filters: 6,
        kernelSize: 5,
        padding: 'same',
        activation: 'relu',
      }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.conv2d({ filters: 16, kernelSize: 5, padding: 'valid', activation: 'relu' }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 120, activation: 'relu' }),
      tfl.layers.dense({ units: 84, activation: 'relu' }),
      tfl.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
}

function vggBlock(): tfl.LayersModel {
  return tfl.sequential({
    layers: [
      tfl.layers.conv2d({
        inputShape: [15, 15, 3],
        filters: 16,
        kernelSize: 3,
        padding: 'same',
        useBias: false,
      }),
      tfl.layers.batchNormalization(),
      tfl.layers.activation({ activation: 'relu' }),
      tfl.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same', strides: 2, useBias: false }),
      tfl.layers.batchNormalization(),
      tfl.layers.activation({ activation: 'relu' }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
}

function separableBlock(): tfl.LayersModel {
  return tfl.sequential({
    layers: [
      tfl.layers.conv2d({
        inputShape: [17, 17, 3],
        filters: 8,
        kernelSize: 3,
        padding: 'same',
        activation: 'relu',
      }),
      tfl.layers.depthwiseConv2d({
        kernelSize: 3,
        strides: 2,
        depthMultiplier: 2,
        padding: 'same',
        activation: 'relu',
      }),
      tfl.layers.separableConv2d({ filters: 12, kernelSize: 3, padding: 'valid', activation: 'relu' }),
      tfl.layers.conv2d({ filters: 8, kernelSize: 1 }),
      tfl.layers.globalAveragePooling2d({}),
      tfl.layers.dense({ units: 5, activation: 'softmax' }),
    ],
  });
}

function embeddingModel(): tfl.LayersModel {
  return tfl.sequential({
    layers: [
      tfl.layers.embedding({ inputDim: 40, outputDim: 8, inputLength: 12 }),
      tfl.layers.conv1d({ filters: 6, kernelSize: 3, activation: 'relu' }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 4, activation: 'softmax' }),
    ],
  });
}

const specs: Spec[] = [
  {
    name: 'LeNet-5',
    build: lenet,
    classes: 10,
    batch: 8,
    input: (s) => tf.tensor4d(seededArray(8 * 28 * 28, s), [8, 28, 28, 1]),
  },
  {
    name: 'VGG block + BatchNorm',
    build: vggBlock,
    classes: 10,
    batch: 6,
    input: (s) => tf.tensor4d(seededArray(6 * 15 * 15 * 3, s), [6, 15, 15, 3]),
  },
  {
    name: 'depthwise-separable block',
    build: separableBlock,
    classes: 5,
    batch: 4,
    input: (s) => tf.tensor4d(seededArray(4 * 17 * 17 * 3, s), [4, 17, 17, 3]),
  },
  {
    name: 'Embedding',
    build: embeddingModel,
    classes: 4,
    batch: 16,
    // Repeated ids make UnsortedSegmentSum actually accumulate.
    input: (s) =>
      tf.tensor2d(
        Array.from(seededArray(16 * 12, s), (v) => Math.floor((v + 1) * 10)),
        [16, 12],
      ),
  },
];

function seedWeights(model: tfl.LayersModel, seed: number): void {
  const weights = model.weights.map((w, i) => {
    const shape = w.shape as number[];
    const size = tf.util.sizeFromShape(shape);
    // Glorot-like scale keeps softmax unsaturated, so every gradient is far from zero.
    const fanIn = shape.length > 1 ? size / (shape[shape.length - 1] as number) : 4;
    const scale = Math.sqrt(3 / fanIn);
    const values = w.name.includes('moving_variance')
      ? new Float32Array(size).fill(1)
      : seededArray(size, seed + i).map((v) => v * scale);
    return tf.tensor(values, shape);
  });
  model.setWeights(weights);
  tf.dispose(weights);
}

function gradients(model: tfl.LayersModel, x: tf.Tensor, y: tf.Tensor): Map<string, Float32Array> {
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const out = new Map<string, Float32Array>();
  tf.tidy(() => {
    const { grads } = tf.variableGrads(() => {
      const pred = model.apply(x, { training: true }) as tf.Tensor;
      return tf.mean(tfl.metrics.categoricalCrossentropy(y, pred)) as tf.Scalar;
    }, vars);
    for (const [name, g] of Object.entries(grads)) out.set(name, Float32Array.from(g.dataSync()));
  });
  return out;
}

describe('whole-model gradients: wasm + klevel kernels vs cpu stock kernels', () => {
  beforeAll(async () => useBackend('cpu'));
  afterAll(async () => useBackend('cpu'));

  it.each(specs.map((s) => [s.name, s] as const))('%s', async (_name, spec) => {
    await useBackend('cpu');
    const model = spec.build();
    seedWeights(model, 100);
    const x = spec.input(1);
    const y = tf.oneHot(
      tf.tensor1d(
        Array.from({ length: spec.batch }, (_, i) => (i * 7) % spec.classes),
        'int32',
      ),
      spec.classes,
    );
    const ref = await withStockCpu(() => gradients(model, x, y));
    await useBackend('wasm');
    const before = tf.memory().numTensors;
    const ours = gradients(model, x, y);
    expect(tf.memory().numTensors).toBe(before);
    expect([...ours.keys()]).toEqual([...ref.keys()]);
    for (const [name, g] of ref) {
      const err = maxRelativeError(ours.get(name) as Float32Array, g);
      expect(err, `${name}: relative error ${err}`).toBeLessThanOrEqual(TOL);
      expect(
        g.some((v) => v !== 0),
        `${name} has a non-zero gradient`,
      ).toBe(true);
    }
    tf.dispose([x, y]);
    model.dispose();
  });
});
