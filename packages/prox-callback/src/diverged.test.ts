/**
 * A diverged model is never reported as sparse: non-finite regularized weights stop `fit` with an error
 * naming the layer (like Keras' TerminateOnNaN), NaN groups do not count as zero, and finalize refuses them.
 */
import { describeBackends, expectNoLeaks } from '@klevel/test-utils';
import { wgsef } from '@klevel/wgsef';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import { proxCallback } from './prox-callback';

function smallModel(loss: string | ((a: tf.Tensor, b: tf.Tensor) => tf.Tensor) = 'categoricalCrossentropy') {
  const model = tfl.sequential({
    layers: [
      tfl.layers.dense({ units: 6, inputShape: [4], activation: 'relu', name: 'hidden' }),
      tfl.layers.dense({ units: 3, activation: 'softmax', name: 'out' }),
    ],
  });
  model.compile({ optimizer: tf.train.sgd(0.1), loss });
  return model;
}

/** 8 samples, the third one NaN (as from a broken input pipeline). */
function nanBatch(): { x: tf.Tensor; y: tf.Tensor } {
  const values = Array.from({ length: 32 }, (_, i) => Math.sin(i + 1));
  values[9] = Number.NaN;
  return {
    x: tf.tensor2d(values, [8, 4]),
    y: tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1], 'int32'), 3),
  };
}

describeBackends('proxCallback on a diverged model', () => {
  it('NaN inputs stop fit with an error naming the layer; stats do not call NaN sparse; finalize refuses', async () => {
    const model = smallModel();
    const reg = wgsef({ groups: 'filters', keep: { count: 2 }, lambda: 1e-2 });
    const cb = proxCallback(reg, { finalizeOnEnd: true });
    const { x, y } = nanBatch();
    await expect(model.fit(x, y, { epochs: 3, batchSize: 8, callbacks: [cb] })).rejects.toThrow(
      /wgsef\.prox: the regularized weights of layer 'hidden' are not finite \(NaN or Infinity\) at step 0: training diverged/,
    );
    expect(cb.history).toHaveLength(0);
    const stats = reg.stats();
    expect(stats.total.sparsity).toBe(0);
    expect(stats.layers.hidden?.nonzero).toBe(6);
    expect(() => reg.finalize()).toThrow(
      /wgsef\.finalize: the regularized weights of layer 'hidden' are not finite \(NaN or Infinity\): training diverged, and finalize\(\) refuses/,
    );
    tf.dispose([x, y]);
  });

  it('subgradient mode: the monitoring callback stops fit as well', async () => {
    const reg = wgsef({ groups: 'filters', keep: { count: 2 }, lambda: 1e-2, gradient: 'subgradient' });
    const model = smallModel();
    reg.attach(model);
    model.compile({ optimizer: tf.train.sgd(0.1), loss: reg.loss('categoricalCrossentropy') });
    const { x, y } = nanBatch();
    await expect(
      model.fit(x, y, { epochs: 2, batchSize: 8, callbacks: [proxCallback(reg, { logEvery: 5 })] }),
    ).rejects.toThrow(/layer 'hidden' are not finite \(NaN or Infinity\) after step 0/);
    tf.dispose([x, y]);
  });

  it('a finite run is unaffected, and the check leaks no tensors', async () => {
    const model = smallModel();
    const reg = wgsef({ groups: 'filters', keep: { count: 2 }, lambda: 1e-2 });
    const x = tf.tensor2d(
      Array.from({ length: 32 }, (_, i) => Math.sin(i + 1)),
      [8, 4],
    );
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1], 'int32'), 3);
    await model.fit(x, y, { epochs: 1, batchSize: 4, callbacks: [proxCallback(reg)] });
    await expectNoLeaks(async () => {
      await model.fit(x, y, { epochs: 2, batchSize: 4, callbacks: [proxCallback(reg)] });
    });
    tf.dispose([x, y]);
  });
});
