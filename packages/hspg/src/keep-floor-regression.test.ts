/**
 * Regression: prox-SGD then HSPG on a small conv net must keep the k-level promise. Before the keep floor,
 * the half-space stage emptied the dense layer (0/32 groups, a dead model) and finalize() could not revive it.
 */
import { proxCallback } from '@klevel/prox-callback';
import { describeBackends, onTestBackendReady, seedWeights } from '@klevel/test-utils';
import { registerTrainingKernels } from '@klevel/wasm-train';
import { wgsef } from '@klevel/wgsef';
import { loadFashionMnist } from '@klevel/zoo';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import { hspg } from './index';

onTestBackendReady((backend) => {
  registerTrainingKernels(backend);
});

function convNet(): tfl.LayersModel {
  const m = tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [28, 28, 1], filters: 8, kernelSize: 3, padding: 'same', name: 'c1' }),
      tfl.layers.batchNormalization({ name: 'bn1' }),
      tfl.layers.activation({ activation: 'relu', name: 'r1' }),
      tfl.layers.maxPooling2d({ poolSize: 2, name: 'p1' }),
      tfl.layers.conv2d({ filters: 8, kernelSize: 3, activation: 'relu', name: 'c2' }),
      tfl.layers.flatten({ name: 'f' }),
      tfl.layers.dense({ units: 32, activation: 'relu', name: 'fc' }),
      tfl.layers.dense({ units: 10, activation: 'softmax', name: 'out' }),
    ],
  });
  seedWeights(m, 7, 0.2);
  return m;
}

describeBackends('HSPG keep floor on a conv net (regression)', () => {
  it('prox-SGD then HSPG leaves every layer >= k nonzero groups, and finalize gives exactly k', async () => {
    const data = await loadFashionMnist({ split: 'train', limit: 256 });
    const { xs, ys } = data.toTensors();
    const model = convNet();
    const reg = wgsef({ groups: 'filters', keep: { fraction: 0.5 }, lambda: 0.05 });
    model.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy' });
    await model.fit(xs, ys, { epochs: 3, batchSize: 32, shuffle: false, callbacks: [proxCallback(reg)] });
    const opt = hspg({ regularizer: reg, learningRate: 0.05, momentum: 0.9, epsilon: 0.05 });
    model.compile({ optimizer: opt, loss: 'categoricalCrossentropy' });
    let held = 0;
    const spy = new tfl.CustomCallback({
      onBatchEnd: async () => {
        held += opt.lastHeld;
      },
    });
    await model.fit(xs, ys, { epochs: 2, batchSize: 32, shuffle: false, callbacks: [spy] });
    const budget = reg.budget;
    if (budget?.scope !== 'layer') throw new Error('expected a per-layer budget');
    const stats = reg.stats();
    reg.layout.layerNames.forEach((name, l) => {
      expect(stats.layers[name]?.nonzero).toBeGreaterThanOrEqual(budget.perLayer[l] as number);
    });
    expect(held).toBeGreaterThan(0); // the floor did bind: without it the stage emptied layers
    const fin = reg.finalize();
    expect(fin.nonzeroAfter).toBe(budget.total);
    reg.layout.layerNames.forEach((name, l) => {
      expect(fin.stats.layers[name]?.nonzero).toBe(budget.perLayer[l]);
    });
    tf.dispose([xs, ys]);
  });
}, ['wasm']); // the cpu backend's conv gradients make this 10x slower
