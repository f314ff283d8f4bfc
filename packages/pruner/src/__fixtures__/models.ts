/**
 * Tiny reference architectures for the pruner's tests, and helpers that make a model "sparse" the way
 * training would: the regularized slices of chosen groups set to exactly zero, everything else random.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { Group } from '@klevel/groups';
import { seededNormal } from '@klevel/test-utils';
import { forEachInSliceOf, WeightReader } from '../group-stats';

const L = tfl.layers;

/** LeNet-5 (small input). */
export function lenet5(): tfl.LayersModel {
  return tfl.sequential({
    layers: [
      L.conv2d({ inputShape: [14, 14, 1], filters: 6, kernelSize: 5, activation: 'relu', padding: 'same' }),
      L.maxPooling2d({ poolSize: 2 }),
      L.conv2d({ filters: 16, kernelSize: 3, activation: 'relu' }),
      L.maxPooling2d({ poolSize: 2 }),
      L.flatten(),
      L.dense({ units: 24, activation: 'relu' }),
      L.dense({ units: 16, activation: 'relu' }),
      L.dense({ units: 10 }),
    ],
  });
}

/** A VGG-style stack with BatchNormalization. */
export function vggBn(): tfl.LayersModel {
  return tfl.sequential({
    layers: [
      L.conv2d({ inputShape: [8, 8, 3], filters: 8, kernelSize: 3, padding: 'same', useBias: false }),
      L.batchNormalization(),
      L.activation({ activation: 'relu' }),
      L.conv2d({ filters: 8, kernelSize: 3, padding: 'same' }),
      L.batchNormalization(),
      L.reLU(),
      L.maxPooling2d({ poolSize: 2 }),
      L.conv2d({ filters: 12, kernelSize: 3, padding: 'same' }),
      L.batchNormalization(),
      L.reLU(),
      L.flatten(),
      L.dense({ units: 16, activation: 'relu' }),
      L.dropout({ rate: 0.5 }),
      L.dense({ units: 5 }),
    ],
  });
}

function convBn(x: tfl.SymbolicTensor, filters: number, kernelSize: number, relu = true, strides = 1) {
  let y = L.conv2d({ filters, kernelSize, padding: 'same', strides }).apply(x) as tfl.SymbolicTensor;
  y = L.batchNormalization().apply(y) as tfl.SymbolicTensor;
  return relu ? (L.reLU().apply(y) as tfl.SymbolicTensor) : y;
}

/** Two residual blocks: one with an identity shortcut, one with a projection (1x1 conv + BN) shortcut. */
export function resnetBlocks(): tfl.LayersModel {
  const input = tfl.input({ shape: [8, 8, 3] });
  const stem = convBn(input, 8, 3);
  // identity block
  let y = convBn(stem, 6, 3);
  y = convBn(y, 8, 3, false);
  let x = L.reLU().apply(L.add().apply([y, stem])) as tfl.SymbolicTensor;
  // projection block (stride 2)
  let z = convBn(x, 10, 3, true, 2);
  z = convBn(z, 12, 3, false);
  const proj = convBn(x, 12, 1, false, 2);
  x = L.reLU().apply(L.add().apply([z, proj])) as tfl.SymbolicTensor;
  const pooled = L.globalAveragePooling2d({}).apply(x) as tfl.SymbolicTensor;
  const out = L.dense({ units: 4 }).apply(pooled) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: out });
}

/** An Inception-style block: three branches concatenated, then a 1x1 conv and a dense head. */
export function inception(): tfl.LayersModel {
  const input = tfl.input({ shape: [8, 8, 4] });
  const a = L.conv2d({ filters: 4, kernelSize: 1, activation: 'relu' }).apply(input) as tfl.SymbolicTensor;
  let b = L.conv2d({ filters: 3, kernelSize: 1, activation: 'relu' }).apply(input) as tfl.SymbolicTensor;
  b = L.conv2d({ filters: 6, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(
    b,
  ) as tfl.SymbolicTensor;
  let c = L.maxPooling2d({ poolSize: 3, strides: 1, padding: 'same' }).apply(input) as tfl.SymbolicTensor;
  c = L.conv2d({ filters: 5, kernelSize: 1, activation: 'relu' }).apply(c) as tfl.SymbolicTensor;
  const cat = L.concatenate().apply([a, b, c]) as tfl.SymbolicTensor;
  const d = L.conv2d({ filters: 6, kernelSize: 1, activation: 'relu' }).apply(cat) as tfl.SymbolicTensor;
  const flat = L.flatten().apply(L.concatenate().apply([d, cat])) as tfl.SymbolicTensor;
  const out = L.dense({ units: 3 }).apply(flat) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: out });
}

/** A MobileNet-style block: conv-BN-ReLU, depthwise-BN-ReLU (multiplier 2), pointwise-BN-ReLU, GAP, dense. */
export function mobilenetBlock(): tfl.LayersModel {
  return tfl.sequential({
    layers: [
      L.conv2d({ inputShape: [8, 8, 3], filters: 6, kernelSize: 3, padding: 'same', useBias: false }),
      L.batchNormalization(),
      L.reLU(),
      L.depthwiseConv2d({ kernelSize: 3, padding: 'same', depthMultiplier: 2 }),
      L.batchNormalization(),
      L.reLU(),
      L.conv2d({ filters: 8, kernelSize: 1 }),
      L.batchNormalization(),
      L.reLU(),
      L.separableConv2d({ filters: 10, kernelSize: 3, padding: 'same', activation: 'relu' }),
      L.globalAveragePooling2d({}),
      L.dense({ units: 4 }),
    ],
  });
}

/** A plain MLP. */
export function mlp(): tfl.LayersModel {
  return tfl.sequential({
    layers: [
      L.dense({ inputShape: [10], units: 16, activation: 'relu' }),
      L.dense({ units: 12, activation: 'tanh' }),
      L.dense({ units: 8, activation: 'elu' }),
      L.dense({ units: 3, activation: 'softmax' }),
    ],
  });
}

/** A model with two inputs and two outputs sharing a trunk. */
export function twoOutput(): tfl.LayersModel {
  const img = tfl.input({ shape: [6, 6, 2] });
  const vec = tfl.input({ shape: [5] });
  let x = L.conv2d({ filters: 6, kernelSize: 3, activation: 'relu' }).apply(img) as tfl.SymbolicTensor;
  x = L.globalMaxPooling2d({}).apply(x) as tfl.SymbolicTensor;
  const v = L.dense({ units: 6, activation: 'relu' }).apply(vec) as tfl.SymbolicTensor;
  const trunk = L.dense({ units: 10, activation: 'relu' }).apply(
    L.concatenate().apply([x, v]),
  ) as tfl.SymbolicTensor;
  const out1 = L.dense({ units: 3 }).apply(trunk) as tfl.SymbolicTensor;
  const h = L.dense({ units: 7, activation: 'relu' }).apply(trunk) as tfl.SymbolicTensor;
  const out2 = L.dense({ units: 2 }).apply(h) as tfl.SymbolicTensor;
  return tfl.model({ inputs: [img, vec], outputs: [out1, out2] });
}

/** Every weight of `model` gets seeded random values (variances positive), so BN and biases matter. */
export function randomizeWeights(model: tfl.LayersModel, seed: number): void {
  const normal = seededNormal(seed);
  for (const w of model.weights) {
    const shape = w.shape as number[];
    const n = shape.reduce((a, b) => a * b, 1);
    const isVar = w.originalName.endsWith('moving_variance');
    const data = Float32Array.from({ length: n }, () => (isVar ? 0.5 + Math.abs(normal()) : 0.5 * normal()));
    const t = tf.tensor(data, shape);
    w.write(t);
    t.dispose();
  }
}

/** Sets the regularized slices of `groups` to exactly zero (what a converged group-sparse training gives). */
export function zeroGroups(model: tfl.LayersModel, groups: readonly Group[]): void {
  const reader = new WeightReader(model);
  const edits = new Map<tfl.LayerVariable, Float32Array>();
  for (const g of groups) {
    for (const s of g.slices) {
      if (!s.regularized) continue;
      const v = reader.variable(s);
      let data = edits.get(v);
      if (!data) {
        data = Float32Array.from(reader.values(v));
        edits.set(v, data);
      }
      const target = data;
      forEachInSliceOf(target, v.shape as number[], s, (_x, i) => {
        target[i] = 0;
      });
    }
  }
  for (const [v, data] of edits) {
    const t = tf.tensor(data, v.shape as number[]);
    v.write(t);
    t.dispose();
  }
}

/**
 * `model.dispose()`, then dispose layers that survive it: tfjs-layers counts one reference per call of a
 * shared layer but `LayersModel.dispose` releases only one, so shared layers' weights would stay alive.
 */
export function disposeFully(model: tfl.LayersModel): void {
  model.dispose();
  for (const layer of model.layers) {
    try {
      for (let i = 0; i < 16 && (layer.dispose().refCountAfterDispose ?? 0) > 0; i++);
    } catch {
      // already disposed
    }
  }
}
