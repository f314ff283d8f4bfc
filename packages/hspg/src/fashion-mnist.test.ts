import { proxCallback } from '@klevel/prox-callback';
import { describeBackends, onTestBackendReady } from '@klevel/test-utils';
import { registerTrainingKernels } from '@klevel/wasm-train';
import { wgsef } from '@klevel/wgsef';
import { lenet5, loadFashionMnist } from '@klevel/zoo';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import { hspg } from './index';

onTestBackendReady((backend) => {
  registerTrainingKernels(backend);
});

describeBackends('HSPG on Fashion-MNIST (LeNet-5, 1024 images)', () => {
  it('prox-SGD then half-space: the loss falls, sparsity rises, zero groups stay zero', async () => {
    const data = await loadFashionMnist({ split: 'train', limit: 1024 });
    const { xs, ys } = data.toTensors();
    const model = lenet5({ seed: 1 });
    const reg = wgsef({ groups: 'filters', keep: { fraction: 0.5 }, lambda: 4e-3 });
    const opt = hspg({
      regularizer: reg,
      learningRate: 0.05,
      momentum: 0.9,
      epsilon: 0.3,
      switchAt: { epoch: 2 },
    });
    model.compile({ optimizer: opt, loss: 'categoricalCrossentropy' });
    const monitor = proxCallback(reg, { logEvery: 4 });
    // anneal the step for the half-space stage, as the paper's cosine schedule does
    const anneal = new tfl.CustomCallback({
      onEpochBegin: async (epoch) => {
        opt.learningRate = epoch >= 2 ? 0.01 : 0.05;
      },
    });
    const h = await model.fit(xs, ys, {
      batchSize: 64,
      epochs: 4,
      // tfjs shuffles with Math.random (unseedable): keep the loader's order so the run is reproducible
      shuffle: false,
      callbacks: [anneal, monitor],
    });
    const loss = h.history.loss as number[];
    const sparsity = h.history.group_sparsity as number[];
    expect(loss[3] as number).toBeLessThan((loss[0] as number) * 0.9);
    expect(sparsity[3] as number).toBeGreaterThan(0.1);
    expect(sparsity[3] as number).toBeGreaterThanOrEqual(sparsity[1] as number);
    expect(opt.stage).toBe(2);
    const nz = monitor.history.filter((e) => e.epoch >= 2).map((e) => e.nonzero);
    for (let i = 1; i < nz.length; i++) expect(nz[i] as number).toBeLessThanOrEqual(nz[i - 1] as number);
    tf.dispose([xs, ys]);
  });
}, ['wasm']);
