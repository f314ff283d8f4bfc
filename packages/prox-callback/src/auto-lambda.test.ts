import { describeBackends, onTestBackendReady } from '@klevel/test-utils';
import { registerTrainingKernels } from '@klevel/wasm-train';
import { wgsef } from '@klevel/wgsef';
import { lenet5, loadFashionMnist } from '@klevel/zoo';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import { proxCallback } from './prox-callback';

onTestBackendReady((backend) => {
  registerTrainingKernels(backend);
});

/** Accuracy and loss of `model` on (xs, ys), no tensors left behind. */
function evaluate(model: tfl.LayersModel, xs: tf.Tensor, ys: tf.Tensor): { acc: number; loss: number } {
  return tf.tidy(() => {
    const p = model.predict(xs) as tf.Tensor;
    const acc = tf
      .mean(tf.cast(tf.equal(tf.argMax(p, -1), tf.argMax(ys, -1)), 'float32'))
      .dataSync()[0] as number;
    const loss = tf
      .mean(tf.losses.softmaxCrossEntropy(ys, tf.log(tf.clipByValue(p, 1e-7, 1))))
      .dataSync()[0] as number;
    return { acc, loss };
  });
}

describeBackends("lambda: 'auto' in a plain model.fit (LeNet-5, Fashion-MNIST)", () => {
  it('never drops a layer below its k at any batch, logs lambda per layer, and the final cut costs almost nothing', async () => {
    const data = await loadFashionMnist({ split: 'train', limit: 1024 });
    const all = data.toTensors();
    const [xs, xv] = tf.split(all.xs, [640, 384]);
    const [ys, yv] = tf.split(all.ys, [640, 384]);
    const before = tf.memory().numTensors;
    const model = lenet5({ seed: 1 });
    const optimizer = tf.train.momentum(0.05, 0.9);
    model.compile({ optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    // 50 steps at a constant lr 0.05: a short fit needs a looser cap on the kept groups' shrink than the
    // default (sized for fits of thousands of steps with a decaying lr), growing tenfold by the end
    const reg = wgsef({
      groups: 'filters',
      keep: { fraction: 0.25 },
      exclude: ['fc2'],
      lambda: 'auto',
      autoLambda: { maxShrink: 0.03, maxShrinkGrowth: 10 },
    });
    const prox = proxCallback(reg);
    const below: string[] = [];
    let batches = 0;
    const floorCheck = new tfl.CustomCallback({
      onBatchEnd: async () => {
        batches++;
        const k = reg.budget?.perLayer as Int32Array;
        const stats = reg.stats(); // the live weights, every batch
        reg.layout.layerNames.forEach((name, l) => {
          const nz = stats.layers[name]?.nonzero as number;
          if (nz < (k[l] as number)) below.push(`${name}: ${nz} < ${k[l]} at batch ${batches}`);
        });
      },
    });
    const h = await model.fit(xs as tf.Tensor, ys as tf.Tensor, {
      batchSize: 64,
      epochs: 5,
      shuffle: false,
      callbacks: [prox, floorCheck],
    });
    expect(batches).toBe(50);
    expect(below).toEqual([]);
    expect(reg.layout.layerNames).toEqual(['conv1', 'conv2', 'fc1']);
    // per-layer lambda in the fit logs, one value per epoch, positive and different per layer
    const lambdas = reg.layout.layerNames.map((name) => h.history[`lambda/${name}`] as number[]);
    for (const series of lambdas) {
      expect(series).toHaveLength(5);
      for (const v of series) expect(v).toBeGreaterThan(0);
    }
    expect(new Set(lambdas.map((s) => s.at(-1))).size).toBe(3);
    expect(prox.history.at(-1)?.lambdas).toHaveLength(3);
    const dense = evaluate(model, xv as tf.Tensor, yv as tf.Tensor);
    const fin = reg.finalize();
    const cut = evaluate(model, xv as tf.Tensor, yv as tf.Tensor);
    expect(fin.stats.layers).toMatchObject({
      conv1: { nonzero: 2 },
      conv2: { nonzero: 4 },
      fc1: { nonzero: 30 },
    });

    expect(dense.acc).toBeGreaterThan(0.3); // 50 steps on 640 images (chance: 0.1)
    expect(Math.abs(dense.acc - cut.acc)).toBeLessThan(0.02);
    expect(cut.loss).toBeLessThan(dense.loss * 1.05);
    model.dispose();
    optimizer.dispose();
    // tfjs 4.22's MomentumOptimizer.dispose() forgets the learning-rate scalar of its SGD base class
    (optimizer as unknown as { c?: tf.Tensor }).c?.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([all.xs, all.ys, xs, xv, ys, yv] as tf.Tensor[]);
  }, 600_000);

  it('reads the budget from targetStep and holds lambda near its last value after it', async () => {
    const data = await loadFashionMnist({ split: 'train', limit: 256 });
    const { xs, ys } = data.toTensors();
    const model = lenet5({ seed: 2 });
    model.compile({ optimizer: tf.train.momentum(0.05, 0.9), loss: 'categoricalCrossentropy' });
    const reg = wgsef({ groups: 'filters', keep: { fraction: 0.5 }, lambda: 'auto', targetStep: 8 });
    const prox = proxCallback(reg, { finalizeOnEnd: true });
    await model.fit(xs, ys, { batchSize: 64, epochs: 3, shuffle: false, callbacks: [prox] });
    const states = reg.autoLambdaState ?? [];
    expect(states).toHaveLength(4);
    for (const s of states) expect(s.target).toBeCloseTo(reg.plan.options.autoLambda.rhoEnd, 6);
    expect(prox.finalizeResult?.stats.layers.conv1?.nonzero).toBe(3);
    model.dispose();
    tf.dispose([xs, ys]);
  }, 600_000);

  it('a polynomial sparsity schedule keeps at least k_t groups at every batch, moving from m to k', async () => {
    const data = await loadFashionMnist({ split: 'train', limit: 384 });
    const { xs, ys } = data.toTensors();
    const model = lenet5({ seed: 3 });
    model.compile({ optimizer: tf.train.momentum(0.05, 0.9), loss: 'categoricalCrossentropy' });
    const reg = wgsef({
      groups: 'filters',
      keep: { fraction: 0.25 },
      lambda: 0.02,
      groupWeights: 'uniform',
      sparsitySchedule: { type: 'polynomial', initialSparsity: 0, endStep: 24, power: 1 },
    });
    const prox = proxCallback(reg);
    await model.fit(xs, ys, { batchSize: 64, epochs: 5, shuffle: false, callbacks: [prox] });
    const ks = prox.history.map((e) => reg.plan.ksAt(e.step));
    prox.history.forEach((e, i) => {
      reg.layout.layerNames.forEach((name, l) => {
        expect(e.layers[name]).toBeGreaterThanOrEqual(ks[i]?.[l] as number);
      });
    });
    expect(Array.from(ks[0] as Int32Array)).toEqual([6, 16, 120, 84]);
    expect(Array.from(ks.at(-1) as Int32Array)).toEqual([2, 4, 30, 21]);
    model.dispose();
    tf.dispose([xs, ys]);
  }, 600_000);
}, ['wasm']);
