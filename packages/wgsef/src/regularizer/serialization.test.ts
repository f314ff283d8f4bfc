import { describeBackends, expectNoLeaks } from '@klevel/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import { sefValue } from '../sef';
import { WgsefKernelRegularizer, wgsef, wgsefKernelRegularizer } from '../index';
import { seedWeights } from './__fixtures__/models';

async function roundTrip(model: tfl.LayersModel, includeOptimizer: boolean): Promise<tfl.LayersModel> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = JSON.parse(JSON.stringify({ ...a, weightData: undefined }));
      (artifacts as tf.io.ModelArtifacts).weightData = a.weightData;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
    { includeOptimizer },
  );
  return tfl.loadLayersModel(tf.io.fromMemory(artifacts as tf.io.ModelArtifacts));
}

function batch(n: number) {
  const x = tf.randomNormal([n, 5], 0, 1, 'float32', 3);
  const y = tf.oneHot(
    tf.tensor1d(
      Array.from({ length: n }, (_, i) => i % 3),
      'int32',
    ),
    3,
  );
  return { x, y };
}

describeBackends('serialization of the regularizers', () => {
  it('a model with wgsefKernelRegularizer trains, saves and loads with the regularizer intact', async () => {
    const reg = wgsefKernelRegularizer({ keep: { count: 2 }, lambda: 0.01 });
    const model = tfl.sequential({
      layers: [
        tfl.layers.dense({
          inputShape: [5],
          units: 4,
          activation: 'relu',
          kernelRegularizer: reg as never,
          name: 'd1',
        }),
        tfl.layers.dense({ units: 3, activation: 'softmax', name: 'out' }),
      ],
    });
    seedWeights(model, 21);
    model.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy' });
    const { x, y } = batch(8);
    const kernel = model.getLayer('d1').getWeights()[0] as tf.Tensor;
    const w = kernel.arraySync() as number[][];
    const cols = [0, 1, 2, 3].map((j) => Math.hypot(...w.map((row) => row[j] as number)) * Math.sqrt(5));
    const penalty = reg.apply(kernel);
    expect(penalty.dataSync()[0]).toBeCloseTo(0.01 * sefValue(cols, 2), 5);
    penalty.dispose();
    await model.fit(x, y, { epochs: 1, batchSize: 8 });
    const loaded = await roundTrip(model, true);
    const r2 = (loaded.getLayer('d1') as unknown as { kernelRegularizer: unknown }).kernelRegularizer;
    expect(r2).toBeInstanceOf(WgsefKernelRegularizer);
    expect((r2 as WgsefKernelRegularizer).getConfig()).toEqual(reg.getConfig());
    const p1 = model.predict(x) as tf.Tensor;
    const p2 = loaded.predict(x) as tf.Tensor;
    expect(tf.max(tf.abs(tf.sub(p1, p2))).dataSync()[0]).toBeLessThan(1e-6);
    await loaded.fit(x, y, { epochs: 1, batchSize: 8 });
    tf.dispose([x, y, p1, p2]);
  });

  it('kernel regularizer gradient matches finite differences; no leaks', async () => {
    const reg = wgsefKernelRegularizer({ keep: { count: 1 }, lambda: 0.3 });
    const x = tf.variable(
      tf.tensor2d([
        [0.5, -0.2, 0.1],
        [0.3, 0.4, -0.6],
      ]),
    );
    const { grads, value } = await expectNoLeaks(() => tf.variableGrads(() => reg.apply(x), [x]), 2);
    const g = grads[x.name]?.dataSync() as Float32Array;
    const base = Float64Array.from(x.dataSync());
    const f = (v: Float64Array) => {
      const t = tf.tensor2d(Array.from(v), [2, 3]);
      const s = reg.apply(t);
      const out = s.dataSync()[0] as number;
      tf.dispose([t, s]);
      return out;
    };
    for (let i = 0; i < 6; i++) {
      const p = Float64Array.from(base);
      const q = Float64Array.from(base);
      p[i] = (p[i] as number) + 1e-3;
      q[i] = (q[i] as number) - 1e-3;
      expect(g[i] as number).toBeCloseTo((f(p) - f(q)) / 2e-3, 2);
    }
    tf.dispose([x, value, ...Object.values(grads)]);
  });

  it('a model compiled with reg.loss in prox mode saves and loads with its optimizer', async () => {
    const model = tfl.sequential({
      layers: [
        tfl.layers.dense({ inputShape: [5], units: 4, activation: 'relu', name: 'd1' }),
        tfl.layers.dense({ units: 3, activation: 'softmax', name: 'out' }),
      ],
    });
    const reg = wgsef({ groups: 'filters', keep: { count: 2 }, lambda: 0.01 }).attach(model);
    model.compile({ optimizer: tf.train.sgd(0.1), loss: reg.loss('categoricalCrossentropy') });
    const { x, y } = batch(8);
    await model.fit(x, y, { epochs: 1, batchSize: 8 });
    const loaded = await roundTrip(model, true);
    expect(loaded.optimizer.getClassName()).toBe('SGD');
    reg.attach(loaded);
    expect(reg.binding.model).toBe(loaded);
    await loaded.fit(x, y, { epochs: 1, batchSize: 8 });
    tf.dispose([x, y]);
  });

  it('subgradient mode: the loss function is not serialized; recompile the loaded model with the loaded optimizer', async () => {
    const model = tfl.sequential({
      layers: [
        tfl.layers.dense({ inputShape: [5], units: 4, activation: 'relu', name: 'd1' }),
        tfl.layers.dense({ units: 3, activation: 'softmax', name: 'out' }),
      ],
    });
    const reg = wgsef({
      groups: 'filters',
      keep: { count: 2 },
      lambda: 0.01,
      gradient: 'subgradient',
    }).attach(model);
    model.compile({ optimizer: tf.train.momentum(0.1, 0.9), loss: reg.loss('categoricalCrossentropy') });
    const { x, y } = batch(8);
    await model.fit(x, y, { epochs: 1, batchSize: 8 });
    const withoutTraining = await roundTrip(model, false);
    expect(withoutTraining.optimizer).toBeUndefined();
    const warn = console.warn;
    console.warn = () => {};
    const loaded = await roundTrip(model, true).finally(() => {
      console.warn = warn;
    });
    reg.attach(loaded);
    loaded.compile({ optimizer: loaded.optimizer, loss: reg.loss('categoricalCrossentropy') });
    const h = await loaded.fit(x, y, { epochs: 1, batchSize: 8 });
    expect(h.history.loss?.[0]).toBeGreaterThan(0);
    tf.dispose([x, y]);
  });

  it('documents the tfjs limit: a custom metric in a training config saved with the optimizer cannot be loaded', async () => {
    const model = tfl.sequential({
      layers: [tfl.layers.dense({ inputShape: [5], units: 3, activation: 'softmax', name: 'out1' })],
    });
    const reg = wgsef({ groups: 'filters', keep: { count: 2 }, lambda: 0.01, removableOnly: false }).attach(
      model,
    );
    model.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy', metrics: [reg.metric()] });
    const { x, y } = batch(4);
    const h = await model.fit(x, y, { epochs: 1, batchSize: 4 });
    expect(h.history.wgsef?.[0]).toBeGreaterThan(0);
    await expect(roundTrip(model, true)).rejects.toThrow(/Unknown metric wgsef/);
    const plain = await roundTrip(model, false);
    expect(plain.layers).toHaveLength(1);
    tf.dispose([x, y]);
  });
});
