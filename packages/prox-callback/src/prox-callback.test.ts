import {
  convBnModel,
  denseModel,
  describeBackends,
  expectNoLeaks,
  handGradients,
  handNorms,
  handScale,
  maxRelDiff,
  onTestBackendReady,
  readWeights,
  residualModel,
  seededBatch,
  sgdStep,
} from '@klevel/test-utils';
import { registerTrainingKernels } from '@klevel/wasm-train';
import { type GroupRegularizer, groupLasso, wgsef } from '@klevel/wgsef';
import { weightedSefProx } from '@klevel/wgsef/math';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { ProxCallback, proxCallback } from './prox-callback';

onTestBackendReady((backend) => {
  registerTrainingKernels(backend);
});

/** The expected WGSEF prox scales t/a per group, by hand (per-layer weighted SEF prox). */
function handWgsefScales(reg: GroupRegularizer, norms: Float64Array, penalty: number): Float64Array {
  const { layerGroups, weights } = reg.layout;
  const scales = new Float64Array(norms.length);
  layerGroups.forEach((members, l) => {
    const a = Array.from(members, (j) => norms[j] as number);
    const w = Array.from(members, (j) => weights[j] as number);
    const t = weightedSefProx(a, { k: reg.budget?.perLayer[l] as number, lambda: penalty, weights: w });
    members.forEach((j, i) => {
      scales[j] = (a[i] as number) > 0 ? (t[i] as number) / (a[i] as number) : 0;
    });
  });
  return scales;
}

async function oneStepMatchesHand(model: tfl.LayersModel, inputShape: number[], expectCoupled?: string[]) {
  const lr = 0.2;
  const lambda = 0.5;
  model.compile({ optimizer: tf.train.sgd(lr), loss: 'categoricalCrossentropy' });
  const reg = wgsef({ groups: 'filters', keep: { count: 2 }, lambda }).attach(model);
  if (expectCoupled) {
    const layers = new Set(reg.binding.terms.filter((t) => t.groupIds.includes(0)).map((t) => t.layerName));
    expect([...layers].sort()).toEqual([...expectCoupled].sort());
  }
  const { x, y } = seededBatch(8, inputShape, 3, 11);
  const v0 = readWeights(model);
  const v1 = sgdStep(v0, handGradients(model, x, y), lr);
  const norms = handNorms(reg.binding.partition, v1);
  const expected = handScale(reg.binding.partition, v1, handWgsefScales(reg, norms, lr * lambda));
  const cb = proxCallback(reg);
  await model.fit(x, y, { batchSize: 8, epochs: 1, shuffle: false, callbacks: [cb] });
  const names = model.trainableWeights.map((w) => w.name);
  expect(maxRelDiff(model, expected, names)).toBeLessThan(2e-5);
  // the prox must have done something: at least one group shrank by more than rounding
  expect(maxRelDiff(model, v1, names)).toBeGreaterThan(1e-3);
  expect(cb.history).toHaveLength(1);
  expect(cb.history[0]?.learningRate).toBeCloseTo(lr, 7);
  tf.dispose([x, y]);
}

describe('proxCallback options', () => {
  const reg = wgsef({ groups: 'filters', keep: { count: 1 }, lambda: 1 });
  it('rejects bad options with clear messages', () => {
    expect(() => proxCallback({} as never)).toThrow(/expected a klevel regularizer/);
    expect(() => proxCallback(reg, { logEvery: 0 })).toThrow(/logEvery must be an integer >= 1/);
    expect(() => proxCallback(reg, { learningRate: -1 })).toThrow(
      /learningRate must be a finite number >= 0/,
    );
    expect(() => proxCallback(reg, { lr: 1 } as never)).toThrow(/unknown option\(s\) lr/);
  });
});

describeBackends('ProxCallback', () => {
  it('one SGD step + prox equals the hand computation (Dense)', async () => {
    await oneStepMatchesHand(denseModel(1), [5]);
  });

  it('one SGD step + prox equals the hand computation (Conv2D + BatchNorm coupled group)', async () => {
    await oneStepMatchesHand(convBnModel(2), [6, 6, 2], ['c1', 'bn1']);
  });

  it('one SGD step + prox equals the hand computation (residual add couples two convs)', async () => {
    await oneStepMatchesHand(residualModel(3), [6, 6, 2], ['ca', 'cb']);
  });

  it('reads the learning rate every batch, logs sparsity per epoch and finalizes to exactly k', async () => {
    const model = denseModel(4);
    const opt = tf.train.sgd(0.5);
    model.compile({ optimizer: opt, loss: 'categoricalCrossentropy' });
    const reg = wgsef({ groups: 'filters', keep: { count: 2 }, lambda: 0.05 });
    const cb = proxCallback(reg, { finalizeOnEnd: true });
    const schedule = new tfl.CustomCallback({
      onBatchBegin: async (batch) => {
        (opt as unknown as { learningRate: number }).learningRate = 0.5 / (1 + batch);
      },
    });
    const { x, y } = seededBatch(12, [5], 3, 5);
    const h = await model.fit(x, y, { batchSize: 4, epochs: 2, shuffle: false, callbacks: [schedule, cb] });
    expect(cb.history.slice(0, 3).map((e) => e.learningRate)).toEqual([0.5, 0.25, 0.5 / 3]);
    expect(h.history.group_sparsity).toHaveLength(2);
    expect(h.history.wgsef?.[1]).toBeGreaterThan(0);
    expect(h.history['group_sparsity/d1']).toHaveLength(2);
    expect(h.history.nonzero_groups?.[1]).toBeGreaterThanOrEqual(4);
    expect(cb.finalizeResult?.nonzeroAfter).toBe(4);
    expect(cb.finalizeResult?.stats.layers.d1?.nonzero).toBe(2);
    expect(cb.history.at(-1)?.finalized).toBe(true);
    tf.dispose([x, y]);
  });

  it('works alone (Tensor-valued logs), after a CustomCallback, and stops with model.stopTraining', async () => {
    const model = denseModel(6);
    model.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy' });
    const reg = groupLasso({ groups: 'filters', lambda: 0.01, keep: { count: 3 } });
    const cb = proxCallback(reg, { finalizeOnEnd: true });
    const stopper = new tfl.CustomCallback({
      onBatchEnd: async (batch) => {
        if (batch === 1) model.stopTraining = true;
      },
    });
    const { x, y } = seededBatch(16, [5], 3, 7);
    await model.fit(x, y, { batchSize: 4, epochs: 3, callbacks: [stopper, cb] });
    expect(cb.history.filter((e) => !e.finalized)).toHaveLength(2);
    expect(cb.finalizeResult?.stats.layers.d2?.nonzero).toBe(3);
    const alone = proxCallback(reg);
    const h = await model.fit(x, y, { batchSize: 8, epochs: 1, callbacks: alone });
    expect(typeof h.history.loss?.[0]).toBe('number');
    expect(h.history.group_lasso).toHaveLength(1);
    tf.dispose([x, y]);
  });

  it('explains the tfjs pitfall when a plain object comes first in callbacks', async () => {
    const model = denseModel(8);
    model.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy' });
    const cb = proxCallback(wgsef({ groups: 'filters', keep: { count: 1 }, lambda: 0.01 }));
    const { x, y } = seededBatch(4, [5], 3, 9);
    await expect(
      model.fit(x, y, { epochs: 1, callbacks: [{ onEpochEnd: async () => {} }, cb] as never }),
    ).rejects.toThrow(/new tfl.CustomCallback/);
    tf.dispose([x, y]);
  });

  it('rejects a learning-rate schedule returning NaN and an optimizer without a learning rate', async () => {
    const model = denseModel(10);
    model.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy' });
    const reg = wgsef({ groups: 'filters', keep: { count: 1 }, lambda: 0.01 });
    const { x, y } = seededBatch(4, [5], 3, 9);
    await expect(
      model.fit(x, y, { epochs: 1, callbacks: [proxCallback(reg, { learningRate: () => Number.NaN })] }),
    ).rejects.toThrow(
      /proxCallback: the learningRate schedule returned NaN at step 0; it must return a finite number >= 0/,
    );
    const opt = tf.train.sgd(0.1);
    model.compile({ optimizer: opt, loss: 'categoricalCrossentropy' });
    (opt as unknown as { learningRate: unknown }).learningRate = undefined;
    await expect(model.fit(x, y, { epochs: 1, callbacks: [proxCallback(reg)] })).rejects.toThrow(
      /no numeric 'learningRate' property/,
    );
    tf.dispose([x, y]);
  });

  it('leaks no tensors over 500 batches', async () => {
    const model = denseModel(12);
    model.compile({ optimizer: tf.train.sgd(0.05), loss: 'categoricalCrossentropy' });
    const reg = wgsef({ groups: 'filters', keep: { count: 2 }, lambda: 0.01 });
    const cb = proxCallback(reg, { logEvery: 50 });
    const { x, y } = seededBatch(500, [5], 3, 13);
    // one warm-up fit so lazily created optimizer/model tensors exist before counting
    await model.fit(x, y, { batchSize: 250, epochs: 1, callbacks: [cb] });
    await expectNoLeaks(async () => {
      await model.fit(x, y, { batchSize: 1, epochs: 1, callbacks: [cb] });
    });
    expect(cb.history.length).toBeGreaterThanOrEqual(10);
    expect(cb).toBeInstanceOf(ProxCallback);
    tf.dispose([x, y]);
  });
});
