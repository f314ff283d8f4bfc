/** Tiny seeded models for the regularizer tests. */
import { seededNormal } from '@klevel/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

/** Overwrites every weight of `model` with seeded N(0, scale^2) values. */
export function seedWeights(model: tfl.LayersModel, seed: number, scale = 0.5): void {
  const rnd = seededNormal(seed);
  for (const w of model.weights) {
    const size = (w.shape as number[]).reduce((p, d) => p * d, 1);
    const vals = Float32Array.from({ length: size }, () => rnd() * scale);
    const t = tf.tensor(vals, w.shape as number[]);
    w.write(t);
    t.dispose();
  }
}

/** Dense 5 -> d1(4) -> d2(3) -> out(2). */
export function denseModel(seed = 1): tfl.LayersModel {
  const model = tfl.sequential({
    layers: [
      tfl.layers.dense({ inputShape: [5], units: 4, activation: 'relu', name: 'd1' }),
      tfl.layers.dense({ units: 3, activation: 'relu', name: 'd2' }),
      tfl.layers.dense({ units: 2, name: 'out' }),
    ],
  });
  seedWeights(model, seed);
  return model;
}

/** Conv2D(4) + BN + ReLU -> Conv2D(3) -> flatten -> dense(2), input 6x6x2. */
export function convBnModel(seed = 2): tfl.LayersModel {
  const model = tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [6, 6, 2], filters: 4, kernelSize: 3, padding: 'same', name: 'c1' }),
      tfl.layers.batchNormalization({ name: 'bn1' }),
      tfl.layers.activation({ activation: 'relu', name: 'r1' }),
      tfl.layers.conv2d({ filters: 3, kernelSize: 3, name: 'c2' }),
      tfl.layers.flatten({ name: 'f' }),
      tfl.layers.dense({ units: 2, name: 'out' }),
    ],
  });
  seedWeights(model, seed);
  // keep BN moving variance positive
  const bn = model.getLayer('bn1');
  const mv = bn.weights.find((w) => w.name.includes('moving_variance'));
  if (mv) {
    const ones = tf.onesLike(mv.read());
    mv.write(ones);
    ones.dispose();
  }
  return model;
}
