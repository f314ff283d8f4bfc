/** The two-phase recipe of the README (prox-SGD with the callback, then HSPG), executed on a tiny model. */
import { proxCallback } from '@klevel/prox-callback';
import { describeBackends, seededBatch, seedWeights } from '@klevel/test-utils';
import { wgsef } from '@klevel/wgsef';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import { hspg } from './index';

describeBackends('README two-phase recipe', () => {
  it('sgd + proxCallback, then hspg in the same model.compile flow', async () => {
    const model = tfl.sequential({
      layers: [
        tfl.layers.dense({ inputShape: [8], units: 16, activation: 'relu', name: 'h1' }),
        tfl.layers.dense({ units: 12, activation: 'relu', name: 'h2' }),
        tfl.layers.dense({ units: 3, activation: 'softmax' }),
      ],
    });
    seedWeights(model, 31);
    const { x, y } = seededBatch(64, [8], 3, 32);
    const reg = wgsef({ groups: 'filters', keep: { fraction: 0.5 }, lambda: 0.05 });
    model.compile({ optimizer: tf.train.sgd(0.1), loss: reg.loss('categoricalCrossentropy') });
    const phase1 = proxCallback(reg);
    await model.fit(x, y, { epochs: 4, batchSize: 16, callbacks: [phase1] });
    const afterProx = reg.stats().total.nonzero;
    expect(afterProx).toBeLessThan(28);
    const opt = hspg({ regularizer: reg, learningRate: 0.05, epsilon: 0.05 });
    model.compile({ optimizer: opt, loss: reg.loss('categoricalCrossentropy') });
    const phase2 = proxCallback(reg, { finalizeOnEnd: true });
    await model.fit(x, y, { epochs: 2, batchSize: 16, callbacks: [phase2] });
    expect(opt.stage).toBe(2);
    expect(phase2.monitoring).toBe(true);
    expect(phase2.finalizeResult?.nonzeroBefore).toBeLessThanOrEqual(afterProx);
    expect(phase2.finalizeResult?.stats.layers).toMatchObject({ h1: { nonzero: 8 }, h2: { nonzero: 6 } });
    tf.dispose([x, y]);
  });
});
