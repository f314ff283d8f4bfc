import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { describeBackends, expectNoLeaks } from '@klevel/test-utils';
import { expect, it } from 'vitest';
import {
  inception,
  lenet5,
  mlp,
  mobilenetBlock,
  randomizeWeights,
  resnetBlocks,
  twoOutput,
  vggBn,
  zeroGroups,
} from './__fixtures__/models';
import { partitionGroups } from '@klevel/groups';
import { sparsify } from './__fixtures__/sparsify';
import { compareModels } from './equivalence';
import { prune } from './prune';

const architectures: Array<[string, () => tfl.LayersModel]> = [
  ['LeNet-5', lenet5],
  ['VGG with BatchNorm', vggBn],
  ['ResNet blocks (identity + projection)', resnetBlocks],
  ['Inception-style concat', inception],
  ['MobileNet-style depthwise block', mobilenetBlock],
  ['MLP', mlp],
  ['two inputs, two outputs', twoOutput],
];

describeBackends('prune: pruned predict equals sparse predict', () => {
  for (const [name, build] of architectures) {
    it(name, async () => {
      const model = build();
      const zeroed = sparsify(model, 11);
      expect(zeroed.length).toBeGreaterThan(0);
      const configBefore = JSON.stringify(model.toJSON(null, false));
      const weightsBefore = model.getWeights().map((w) => Array.from(w.dataSync()));
      await expectNoLeaks(async () => {
        const { model: small, plan, report } = await prune(model, { check: { tolerance: 1e-5 } });
        expect(plan.groups.removed.map((g) => g.id).sort()).toEqual(zeroed.map((g) => g.id).sort());
        expect(small.countParams()).toBeLessThan(model.countParams());
        expect(report.total.paramsAfter).toBe(small.countParams());
        expect(report.equivalence?.maxRelativeDifference).toBeLessThanOrEqual(1e-5);
        expect(
          compareModels(small, model, { seed: 5, batchSize: 3 }).maxRelativeDifference,
        ).toBeLessThanOrEqual(1e-5);
        expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);
        small.dispose();
      });
      // The input model is untouched.
      expect(JSON.stringify(model.toJSON(null, false))).toBe(configBefore);
      expect(model.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(weightsBefore);
      model.dispose();
    });
  }

  for (const [name, build] of architectures.slice(0, 4)) {
    it(`${name}: input-channel groups ('channels' spec)`, async () => {
      const model = build();
      const zeroed = sparsify(model, 17, 0.5, 'channels');
      expect(zeroed.length).toBeGreaterThan(0);
      const { model: small, plan } = await prune(model, { groups: 'channels', check: { tolerance: 1e-5 } });
      const lastChannel = plan.groups.kept.filter((g) => g.reason === 'last-channel').map((g) => g.id);
      expect([...plan.groups.removed.map((g) => g.id), ...lastChannel].sort()).toEqual(
        zeroed.map((g) => g.id).sort(),
      );
      expect(small.countParams()).toBeLessThan(model.countParams());
      small.dispose();
      model.dispose();
    });
  }

  for (const [name, build] of architectures.slice(0, 4)) {
    it(`${name}: the plain prune(model) removes channels that are zero at the consumer end`, async () => {
      const model = build();
      const zeroed = sparsify(model, 17, 0.5, 'channels');
      expect(zeroed.length).toBeGreaterThan(0);
      const { model: small, plan, report } = await prune(model, { check: { tolerance: 1e-5 } });
      // Each zeroed input channel is removed (or kept as its layer's last channel) under its filter's id, and
      // the decision says which end was zero.
      const decided = [
        ...plan.groups.removed,
        ...plan.groups.kept.filter((g) => g.reason === 'last-channel'),
      ];
      const viaConsumers = decided.map(
        (g) => g.detail?.match(/zero at the consumer end: .* \(as '([^']+)'\)/)?.[1],
      );
      expect(viaConsumers.filter((x) => x !== undefined).sort()).toEqual(zeroed.map((g) => g.id).sort());
      expect(report.groupsRemoved).toBeGreaterThan(0);
      expect(report.compressionRatio).toBeGreaterThan(1);
      expect(small.countParams()).toBeLessThan(model.countParams());
      small.dispose();
      model.dispose();
    });
  }

  it('lists every zero group it keeps, with the reason, in the report and its text', async () => {
    const model = mlp();
    randomizeWeights(model, 6);
    const out = model.layers[model.layers.length - 1]!.name;
    // A zero output unit: zero, but a model output, so it cannot be removed.
    const { groups } = partitionGroups(model, 'filters');
    zeroGroups(
      model,
      groups.filter((g) => g.layerName === out && g.index === 1),
    );
    const { model: small, report } = await prune(model);
    const kept = report.groupsKept.find((g) => g.id === `${out}/filters/1`);
    expect(kept).toMatchObject({ reason: 'not-removable', maxAbs: 0 });
    expect(kept?.detail).toMatch(/compression-only: it is part of model output/);
    expect(String(report)).toMatch(
      new RegExp(`kept ${out}/filters/1 \\(max \\|x\\| 0\\.0e\\+0\\): not-removable - .*model output`),
    );
    small.dispose();
    model.dispose();
  });

  it('returns the same architecture when nothing is zero', async () => {
    const model = resnetBlocks();
    randomizeWeights(model, 2);
    const { model: same, plan, report } = await prune(model);
    expect(plan.layers).toEqual([]);
    expect(plan.groups.removed).toEqual([]);
    expect(same.layers.map((l) => [l.getClassName(), l.outputShape])).toEqual(
      model.layers.map((l) => [l.getClassName(), l.outputShape]),
    );
    expect(report.compressionRatio).toBe(1);
    expect(compareModels(same, model).maxAbsoluteDifference).toBe(0);
    same.dispose();
    model.dispose();
  });
});

// cpu only: with IS_TEST on (set by @klevel/test-utils), tfjs' kernel leak check fails any Dense fit on
// wasm ('internal memory leak ... fusedMatMul__op'), for unpruned models just the same.
describeBackends('prune: the pruned model is an ordinary model', () => {
  it('the pruned model compiles and trains like any other (fine-tuning after pruning)', async () => {
    const model = mlp();
    sparsify(model, 3, 0.5);
    const { model: small } = await prune(model);
    small.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
    const x = tf.randomNormal([8, 10], 0, 1, 'float32', 1);
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1], 'int32'), 3);
    const history = await small.fit(x, y, { epochs: 2, batchSize: 4, verbose: 0 });
    expect(history.history.loss).toHaveLength(2);
    expect(Number.isFinite(history.history.loss?.[1] as number)).toBe(true);
    tf.dispose([x, y]);
    small.dispose();
    model.dispose();
  });
}, ['cpu']);
