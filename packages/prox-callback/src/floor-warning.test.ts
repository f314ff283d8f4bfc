/** With scope 'global', a layer left at its floor is warned about once during fit and counted in the logs. */
import { describeBackends } from '@klevel/test-utils';
import { wgsef } from '@klevel/wgsef';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterEach, expect, it, vi } from 'vitest';
import { proxCallback } from './prox-callback';

afterEach(() => {
  vi.restoreAllMocks();
});

function starvedModel(): tfl.LayersModel {
  const model = tfl.sequential({
    layers: [
      tfl.layers.dense({
        inputShape: [8],
        units: 16,
        activation: 'relu',
        name: 'd1',
        kernelInitializer: 'glorotNormal',
      }),
      tfl.layers.dense({ units: 16, activation: 'relu', name: 'd2' }),
      tfl.layers.dense({ units: 3, activation: 'softmax', name: 'out' }),
    ],
  });
  for (const w of model.getLayer('d2').trainableWeights) {
    const small = tf.tidy(() => tf.add(tf.mul(w.read(), 1e-3), 1e-4));
    w.write(small);
    small.dispose();
  }
  model.compile({ optimizer: tf.train.sgd(0.05), loss: 'categoricalCrossentropy' });
  return model;
}

describeBackends('proxCallback with scope global', () => {
  it('warns once per layer at its floor and logs layers_at_floor', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const model = starvedModel();
    const reg = wgsef({ groups: 'filters', keep: { fraction: 0.25 }, scope: 'global', lambda: 20 });
    const x = tf.tensor2d(
      Array.from({ length: 64 }, (_, i) => Math.sin(i + 1)),
      [8, 8],
    );
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1], 'int32'), 3);
    const h = await model.fit(x, y, { epochs: 3, batchSize: 4, callbacks: [proxCallback(reg)] });
    const floorWarnings = warn.mock.calls.map((c) => String(c[0])).filter((m) => m.includes('at its floor'));
    expect(floorWarnings).toHaveLength(1);
    expect(floorWarnings[0]).toMatch(/^proxCallback: layer 'd2' is at its floor: it keeps 2 of 16 groups/);
    expect(h.history.layers_at_floor).toEqual([1, 1, 1]);
    expect(reg.stats().atFloor).toEqual(['d2']);
    tf.dispose([x, y]);
  });
});
