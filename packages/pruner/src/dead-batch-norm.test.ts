/**
 * A BatchNorm channel with gamma = 0 and beta = 0 outputs exactly 0 whatever its conv computes, so its
 * consumers see 0: the plain `prune(model)` removes it (filter, BN entries, the consumers' input slices),
 * with the outputs unchanged, the user's model untouched and no tensor leaked.
 */
import { describeBackends, expectNoLeaks } from '@klevel/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import { randomizeWeights } from './__fixtures__/models';
import { compareModels } from './equivalence';
import { planPruning } from './plan';
import { prune } from './prune';

/** conv1 -> bn1 -> relu -> conv2 -> flatten -> dense, with seeded weights (BN statistics not trivial). */
function convBnReluConv(convActivation = 'linear', afterBn = 'relu'): tfl.LayersModel {
  const model = tfl.sequential({
    layers: [
      tfl.layers.conv2d({
        inputShape: [6, 6, 2],
        filters: 4,
        kernelSize: 3,
        padding: 'same',
        activation: convActivation as 'linear',
        name: 'conv1',
      }),
      tfl.layers.batchNormalization({ name: 'bn1' }),
      tfl.layers.activation({ activation: afterBn as 'relu', name: 'relu1' }),
      tfl.layers.conv2d({ filters: 3, kernelSize: 3, name: 'conv2' }),
      tfl.layers.flatten({ name: 'flat' }),
      tfl.layers.dense({ units: 2, name: 'out' }),
    ],
  });
  randomizeWeights(model, 7);
  return model;
}

/** Sets entries `index` (along the last axis) of the named weights of `layer` to `value`. */
function setChannel(model: tfl.LayersModel, layer: string, names: string[], index: number, value = 0): void {
  for (const w of model.getLayer(layer).weights) {
    if (!names.some((n) => w.originalName.endsWith(n))) continue;
    const data = Float32Array.from(w.read().dataSync());
    const last = w.shape[w.shape.length - 1] as number;
    for (let i = index; i < data.length; i += last) data[i] = value;
    const t = tf.tensor(data, w.shape as number[]);
    w.write(t);
    t.dispose();
  }
}

function snapshot(model: tfl.LayersModel): string {
  return JSON.stringify([model.toJSON(null, false), model.getWeights().map((w) => Array.from(w.dataSync()))]);
}

describeBackends('prune: a BatchNorm channel with gamma = beta = 0 is dead', () => {
  const cases: Array<[string, (m: tfl.LayersModel) => void, string?]> = [
    ['its conv filter is not zero', () => {}],
    ['its conv kernel is zero but its bias is not', (m) => setChannel(m, 'conv1', ['kernel'], 1)],
    ['the conv has a sigmoid before the BN', () => {}, 'sigmoid'],
  ];
  for (const [name, edit, convActivation] of cases) {
    it(`removes it (${name}); outputs equal, the model untouched, no leaks`, async () => {
      const model = convBnReluConv(convActivation);
      setChannel(model, 'bn1', ['gamma', 'beta'], 1);
      edit(model);
      const before = snapshot(model);
      await expectNoLeaks(async () => {
        const { model: small, plan, report } = await prune(model, { check: { tolerance: 1e-5 } });
        expect(plan.groups.removed.map((g) => g.id)).toEqual(['conv1/filters/1']);
        const removed = plan.groups.removed[0];
        expect(removed?.reason).toBe('zero');
        expect(removed?.detail).toMatch(
          /dead after 'bn1': its gamma and beta are 0, so it outputs 0 whatever 'conv1' computes/,
        );
        expect(small.getLayer('conv1').getWeights()[0]?.shape).toEqual([3, 3, 2, 3]);
        expect(small.getLayer('bn1').getWeights()[0]?.shape).toEqual([3]);
        expect(small.getLayer('conv2').getWeights()[0]?.shape).toEqual([3, 3, 3, 3]);
        expect(report.equivalence?.maxRelativeDifference).toBeLessThanOrEqual(1e-5);
        expect(
          compareModels(small, model, { seed: 3, batchSize: 4 }).maxRelativeDifference,
        ).toBeLessThanOrEqual(1e-5);
        small.dispose();
      });
      expect(snapshot(model)).toBe(before);
      model.dispose();
    });
  }

  it('only gamma = 0 (beta not zero) is not dead: nothing is removed', () => {
    const model = convBnReluConv();
    setChannel(model, 'bn1', ['gamma'], 1);
    expect(planPruning(model).groups.removed).toEqual([]);
    model.dispose();
  });

  it('a conv that also feeds a skip connection is not silenced by the dead BN', () => {
    // add(bn1(conv1(x)), conv1(x)): channel 1 is 0 + conv1's output there, alive
    const input = tfl.input({ shape: [6, 6, 2] });
    const x = tfl.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', name: 'conv1' }).apply(input);
    const a = tfl.layers.batchNormalization({ name: 'bn1' }).apply(x) as tfl.SymbolicTensor;
    const sum = tfl.layers.add({ name: 'add' }).apply([a, x as tfl.SymbolicTensor]);
    const r = tfl.layers.activation({ activation: 'relu', name: 'relu1' }).apply(sum);
    const y = tfl.layers.conv2d({ filters: 3, kernelSize: 3, name: 'conv2' }).apply(r);
    const out = tfl.layers.dense({ units: 2, name: 'out' }).apply(tfl.layers.flatten().apply(y));
    const model = tfl.model({ inputs: input, outputs: out as tfl.SymbolicTensor });
    randomizeWeights(model, 7);
    setChannel(model, 'bn1', ['gamma', 'beta'], 1);
    expect(planPruning(model).groups.removed).toEqual([]);
    model.dispose();
  });

  it('a dead channel followed by an activation with f(0) != 0 is kept and listed with the reason', () => {
    // consumers of the BN see sigmoid(0) = 0.5, not 0: the channel is not removable as a filter
    const model = convBnReluConv('linear', 'sigmoid');
    setChannel(model, 'bn1', ['gamma', 'beta'], 1);
    const plan = planPruning(model);
    expect(plan.groups.removed).toEqual([]);
    const kept = plan.groups.kept.find((g) => g.id === 'conv1/filters/1');
    expect(kept?.reason).toBe('not-removable');
    expect(kept?.detail).toMatch(/sigmoid.*; dead after 'bn1': its gamma and beta are 0/);
    model.dispose();
  });
});
