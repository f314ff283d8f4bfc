/**
 * Tiny seeded models shared by the training-plugin tests (regularizers, prox callback, HSPG): small enough for
 * hand computations, and covering the coupling cases (BatchNorm entries, a residual add).
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { seedWeights } from './hand-prox';

/** Dense 5 -> 6 (relu) -> 4 (relu) -> 3 (softmax), seeded: the smallest model with coupled filter groups. */
export function denseModel(seed: number): tfl.LayersModel {
  const m = tfl.sequential({
    layers: [
      tfl.layers.dense({ inputShape: [5], units: 6, activation: 'relu', name: 'd1' }),
      tfl.layers.dense({ units: 4, activation: 'relu', name: 'd2' }),
      tfl.layers.dense({ units: 3, activation: 'softmax', name: 'out' }),
    ],
  });
  seedWeights(m, seed);
  return m;
}

/** Conv2D -> BatchNorm -> ReLU -> Conv2D -> Flatten -> Dense on [6, 6, 2], seeded: filter groups that own BN entries. */
export function convBnModel(seed: number): tfl.LayersModel {
  const m = tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [6, 6, 2], filters: 4, kernelSize: 3, padding: 'same', name: 'c1' }),
      tfl.layers.batchNormalization({ name: 'bn1' }),
      tfl.layers.activation({ activation: 'relu', name: 'r1' }),
      tfl.layers.conv2d({ filters: 3, kernelSize: 3, name: 'c2' }),
      tfl.layers.flatten({ name: 'f' }),
      tfl.layers.dense({ units: 3, activation: 'softmax', name: 'out' }),
    ],
  });
  seedWeights(m, seed);
  return m;
}

/** Two convs joined by an Add (coupled filters), then Flatten -> Dense on [6, 6, 2], seeded. */
export function residualModel(seed: number): tfl.LayersModel {
  const input = tfl.input({ shape: [6, 6, 2] });
  const a = tfl.layers
    .conv2d({ filters: 4, kernelSize: 3, padding: 'same', name: 'ca' })
    .apply(input) as tfl.SymbolicTensor;
  const b = tfl.layers.conv2d({ filters: 4, kernelSize: 1, name: 'cb' }).apply(input) as tfl.SymbolicTensor;
  const s = tfl.layers.add({ name: 'add' }).apply([a, b]) as tfl.SymbolicTensor;
  const r = tfl.layers.activation({ activation: 'relu', name: 'r' }).apply(s) as tfl.SymbolicTensor;
  const f = tfl.layers.flatten({ name: 'f' }).apply(r) as tfl.SymbolicTensor;
  const out = tfl.layers
    .dense({ units: 3, activation: 'softmax', name: 'out' })
    .apply(f) as tfl.SymbolicTensor;
  const m = tfl.model({ inputs: input, outputs: out });
  seedWeights(m, seed);
  return m;
}
