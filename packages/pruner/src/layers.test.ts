/**
 * Layer coverage: every layer class @klevel/groups understands, as producer, consumer or pass-through,
 * pruned with output equivalence; non-zero-invariant layers keep their channels; unknown layers refused.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describeBackends, expectNoLeaks } from '@klevel/test-utils';
import { expect, it } from 'vitest';
import { disposeFully, randomizeWeights } from './__fixtures__/models';
import { sparsify } from './__fixtures__/sparsify';
import { compareModels } from './equivalence';
import { planPruning } from './plan';
import { prune } from './prune';

const L = tfl.layers;
type ST = tfl.SymbolicTensor;

function seq(inputShape: number[], layers: tfl.layers.Layer[]): tfl.LayersModel {
  const input = tfl.input({ shape: inputShape });
  let x: ST = input;
  for (const l of layers) x = l.apply(x) as ST;
  return tfl.model({ inputs: input, outputs: x });
}

const cases: Array<[string, () => tfl.LayersModel]> = [
  [
    'Conv1D + GlobalAveragePooling1D',
    () =>
      seq(
        [10, 3],
        [
          L.conv1d({ filters: 6, kernelSize: 3, activation: 'relu' }),
          L.conv1d({ filters: 5, kernelSize: 2, padding: 'same' }),
          L.maxPooling1d({ poolSize: 2 }),
          L.globalAveragePooling1d(),
          L.dense({ units: 2 }),
        ],
      ),
  ],
  [
    'Conv2DTranspose, ZeroPadding2D, Cropping2D, UpSampling2D, AveragePooling2D',
    () =>
      seq(
        [4, 4, 3],
        [
          L.conv2dTranspose({ filters: 6, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }),
          L.zeroPadding2d({ padding: 1 }),
          L.conv2d({ filters: 5, kernelSize: 3 }),
          L.cropping2D({ cropping: [1, 1] }),
          L.upSampling2d({ size: [2, 2] }),
          L.averagePooling2d({ poolSize: 2 }),
          L.conv2dTranspose({ filters: 4, kernelSize: 2 }),
          L.flatten(),
          L.dense({ units: 2 }),
        ],
      ),
  ],
  [
    'Embedding + Flatten',
    () => {
      const ids = tfl.input({ shape: [5] });
      const e = L.embedding({ inputDim: 20, outputDim: 8 }).apply(ids) as ST;
      const c = L.conv1d({ filters: 6, kernelSize: 2, activation: 'relu' }).apply(e) as ST;
      const out = L.dense({ units: 3 }).apply(L.flatten().apply(c)) as ST;
      return tfl.model({ inputs: ids, outputs: out });
    },
  ],
  [
    'Reshape (channel-preserving and full flatten)',
    () => {
      const input = tfl.input({ shape: [4, 4, 2] });
      const a = L.conv2d({ filters: 6, kernelSize: 1, activation: 'relu' }).apply(input) as ST;
      const r = L.reshape({ targetShape: [16, 6] }).apply(a) as ST;
      const c = L.conv1d({ filters: 5, kernelSize: 2, activation: 'relu' }).apply(r) as ST;
      const f = L.reshape({ targetShape: [75] }).apply(c) as ST;
      const out = L.dense({ units: 2 }).apply(f) as ST;
      return tfl.model({ inputs: input, outputs: out });
    },
  ],
  [
    'PReLU, LeakyReLU, ELU, Dropout',
    () =>
      seq(
        [6],
        [
          L.dense({ units: 8 }),
          L.prelu(),
          L.dense({ units: 7 }),
          L.leakyReLU(),
          L.dense({ units: 6 }),
          L.elu(),
          L.dropout({ rate: 0.3 }),
          L.dense({ units: 2 }),
        ],
      ),
  ],
  [
    'Add, Multiply, Average, Maximum, Minimum',
    () => {
      const input = tfl.input({ shape: [5, 5, 2] });
      const conv = () =>
        L.conv2d({ filters: 6, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(input) as ST;
      const a = L.add().apply([conv(), conv()]) as ST;
      const m = L.multiply().apply([a, conv()]) as ST;
      const v = L.average().apply([m, conv()]) as ST;
      const mx = L.maximum().apply([v, conv()]) as ST;
      const mn = L.minimum().apply([mx, conv()]) as ST;
      const out = L.dense({ units: 2 }).apply(L.globalAveragePooling2d({}).apply(mn)) as ST;
      return tfl.model({ inputs: input, outputs: out });
    },
  ],
  [
    'Conv3D, MaxPooling3D, AveragePooling3D',
    () =>
      seq(
        [4, 4, 4, 2],
        [
          L.conv3d({ filters: 5, kernelSize: 2, padding: 'same', activation: 'relu' }),
          L.maxPooling3d({ poolSize: 2 }),
          L.conv3d({ filters: 4, kernelSize: 1, activation: 'relu' }),
          L.averagePooling3d({ poolSize: 1 }),
          L.flatten(),
          L.dense({ units: 2 }),
        ],
      ),
  ],
  [
    'RepeatVector, SpatialDropout1D, Permute, Rescaling, GaussianNoise',
    () =>
      seq(
        [6],
        [
          L.dense({ units: 6, activation: 'relu' }),
          L.repeatVector({ n: 3 }),
          L.conv1d({ filters: 5, kernelSize: 1, activation: 'relu' }),
          L.spatialDropout1d({ rate: 0.2 }),
          L.permute({ dims: [1, 2] }),
          L.rescaling({ scale: 0.5 }),
          L.gaussianNoise({ stddev: 0.1 }),
          L.dense({ units: 4, activation: 'relu' }),
          L.flatten(),
          L.dense({ units: 2 }),
        ],
      ),
  ],
  [
    'ThresholdedReLU, AlphaDropout, GaussianDropout, GlobalMaxPooling2D',
    () =>
      seq(
        [6, 6, 2],
        [
          L.conv2d({ filters: 6, kernelSize: 3, padding: 'same', activation: 'relu' }),
          L.thresholdedReLU({ theta: 0.1 }),
          L.alphaDropout({ rate: 0.1 }),
          L.gaussianDropout({ rate: 0.1 }),
          L.conv2d({ filters: 4, kernelSize: 1, activation: 'relu' }),
          L.globalMaxPooling2d({}),
          L.dense({ units: 2 }),
        ],
      ),
  ],
  [
    'Masking, GlobalMaxPooling1D',
    () =>
      seq(
        [5],
        [
          L.dense({ units: 6, activation: 'relu' }),
          L.repeatVector({ n: 4 }),
          L.masking({ maskValue: 0 }),
          L.conv1d({ filters: 5, kernelSize: 2, activation: 'relu' }),
          L.globalMaxPooling1d({}),
          L.dense({ units: 2 }),
        ],
      ),
  ],
  [
    'a shared layer applied twice',
    () => {
      const a = tfl.input({ shape: [6] });
      const b = tfl.input({ shape: [6] });
      const shared = L.dense({ units: 8, activation: 'relu' });
      const head = L.dense({ units: 5, activation: 'relu' });
      const x = L.concatenate().apply([
        head.apply(shared.apply(a)) as ST,
        head.apply(shared.apply(b)) as ST,
      ]) as ST;
      return tfl.model({ inputs: [a, b], outputs: L.dense({ units: 2 }).apply(x) as ST });
    },
  ],
  [
    'a nested Sequential inside a functional model',
    () => {
      const inner = tfl.sequential({
        layers: [
          L.dense({ inputShape: [8], units: 7, activation: 'relu' }),
          L.dense({ units: 6, activation: 'relu' }),
        ],
      });
      const input = tfl.input({ shape: [5] });
      const x = L.dense({ units: 8, activation: 'relu' }).apply(input) as ST;
      const y = inner.apply(x) as ST;
      return tfl.model({ inputs: input, outputs: L.dense({ units: 2 }).apply(y) as ST });
    },
  ],
];

describeBackends('prune: layer coverage', () => {
  for (const [name, build] of cases) {
    it(name, async () => {
      const model = build();
      const zeroed = sparsify(model, 21, 0.5);
      expect(zeroed.length).toBeGreaterThan(0);
      await expectNoLeaks(async () => {
        const { model: small, plan } = await prune(model, { check: { tolerance: 1e-5 } });
        expect(plan.groups.removed.map((g) => g.id).sort()).toEqual(zeroed.map((g) => g.id).sort());
        expect(small.countParams()).toBeLessThan(model.countParams());
        expect(compareModels(small, model, { seed: 9 }).maxRelativeDifference).toBeLessThanOrEqual(1e-5);
        disposeFully(small);
      });
      model.dispose();
    });
  }

  it('keeps channels behind sigmoid and LayerNormalization (not zero-invariant)', async () => {
    const model = seq(
      [6],
      [
        L.dense({ units: 8, activation: 'sigmoid', name: 'sig' }),
        L.dense({ units: 8, name: 'pre_ln' }),
        L.layerNormalization({ name: 'ln' }),
        L.dense({ units: 2 }),
      ],
    );
    randomizeWeights(model, 5);
    for (const name of ['sig', 'pre_ln']) {
      const layer = model.getLayer(name);
      const values = tf.tidy(() => {
        const [k, b] = layer.getWeights() as [tf.Tensor, tf.Tensor];
        const mask = tf.tensor1d([0, 1, 1, 1, 1, 1, 1, 1]);
        return [tf.mul(k, mask), tf.mul(b, mask)];
      });
      layer.setWeights(values);
      tf.dispose(values);
    }
    const plan = planPruning(model);
    expect(plan.layers).toEqual([]);
    expect(plan.groups.kept.map((g) => [g.layerName, g.reason])).toEqual([
      ['sig', 'not-removable'],
      ['pre_ln', 'not-removable'],
    ]);
    model.dispose();
  });

  it('refuses a layer @klevel/groups does not understand, naming it; exclude is the way out', async () => {
    const input = tfl.input({ shape: [4, 3] });
    const d = L.dense({ units: 6, activation: 'relu', name: 'before' }).apply(input) as ST;
    const r = L.simpleRNN({ units: 5, name: 'my_rnn', recurrentInitializer: 'glorotNormal' }).apply(d) as ST;
    const model = tfl.model({ inputs: input, outputs: L.dense({ units: 2, name: 'after' }).apply(r) as ST });
    randomizeWeights(model, 3);
    await expect(prune(model)).rejects.toThrow(/my_rnn/);
    const { model: small, plan } = await prune(model, { exclude: ['my_rnn'] });
    expect(plan.layers).toEqual([]);
    small.dispose();
    model.dispose();
  });
});
