import { describeBackends, onTestBackendReady } from '@klevel/test-utils';
import { registerTrainingKernels } from '@klevel/wasm-train';
import { wgsef } from '@klevel/wgsef';
import { lenet5, loadFashionMnist } from '@klevel/zoo';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { proxCallback } from './prox-callback';

onTestBackendReady((backend) => {
  registerTrainingKernels(backend);
});

describeBackends('ProxCallback on Fashion-MNIST (LeNet-5, 1024 images)', () => {
  it('the loss falls and the group sparsity rises; finalize leaves exactly k groups per layer', async () => {
    const data = await loadFashionMnist({ split: 'train', limit: 1024 });
    const { xs, ys } = data.toTensors();
    const model = lenet5({ seed: 1 });
    model.compile({ optimizer: tf.train.momentum(0.05, 0.9), loss: 'categoricalCrossentropy' });
    const reg = wgsef({ groups: 'filters', keep: { fraction: 0.5 }, lambda: 2e-3 });
    const prox = proxCallback(reg, { finalizeOnEnd: true, logEvery: 4 });
    // tfjs shuffles with Math.random (unseedable): keep the loader's order so the run is reproducible
    const h = await model.fit(xs, ys, { batchSize: 64, epochs: 3, shuffle: false, callbacks: [prox] });
    const loss = h.history.loss as number[];
    const sparsity = h.history.group_sparsity as number[];
    expect(loss[2] as number).toBeLessThan((loss[0] as number) * 0.9);
    expect(sparsity[2] as number).toBeGreaterThan(0.1);
    expect(sparsity[2] as number).toBeGreaterThanOrEqual(sparsity[0] as number);
    expect(prox.history[0]?.nonzero).toBeGreaterThan(prox.history.at(-2)?.nonzero as number);
    const fin = prox.finalizeResult;
    expect(fin?.stats.layers).toMatchObject({
      conv1: { nonzero: 3 },
      conv2: { nonzero: 8 },
      fc1: { nonzero: 60 },
      fc2: { nonzero: 42 },
    });
    tf.dispose([xs, ys]);
  });
}, ['wasm']);
