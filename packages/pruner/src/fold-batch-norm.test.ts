import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describeBackends, expectNoLeaks, seededNormal } from '@klevel/test-utils';
import { vggSmall } from '@klevel/zoo';
import { expect, it } from 'vitest';
import { disposeFully, mobilenetBlock, randomizeWeights, vggBn } from './__fixtures__/models';
import { sparsify } from './__fixtures__/sparsify';
import { compareModels } from './equivalence';
import { foldBatchNorm } from './fold-batch-norm';
import { prune } from './prune';

const L = tfl.layers;

/** Non-trivial BN parameters and moving statistics (what training leaves behind), other weights unchanged. */
function randomizeBatchNorms(model: tfl.LayersModel, seed: number): void {
  const normal = seededNormal(seed);
  for (const w of model.weights) {
    const name = w.originalName.slice(w.originalName.lastIndexOf('/') + 1);
    const n = (w.shape as number[]).reduce((a, b) => a * b, 1);
    const gen: Record<string, () => number> = {
      gamma: () => 1 + 0.5 * normal(),
      beta: () => 0.3 * normal(),
      moving_mean: () => 0.5 * normal(),
      moving_variance: () => 0.2 + Math.abs(normal()),
    };
    const g = gen[name];
    if (g === undefined) continue;
    const t = tf.tensor(Float32Array.from({ length: n }, g), w.shape as number[]);
    w.write(t);
    t.dispose();
  }
}

function snapshot(model: tfl.LayersModel): { config: string; weights: number[][] } {
  return {
    config: JSON.stringify(model.toJSON(null, false)),
    weights: model.getWeights().map((w) => Array.from(w.dataSync())),
  };
}

/** Folds, checks equivalence on other inputs, no leaks, input unchanged; returns the fold's names. */
async function foldAndCheck(model: tfl.LayersModel, expected: string[]): Promise<string[]> {
  const before = snapshot(model);
  const names = model.layers.map((l) => l.name);
  let notFoldedNames: string[] = [];
  await expectNoLeaks(async () => {
    const { model: folded, folded: list, foldedInto, notFolded, equivalence } = await foldBatchNorm(model);
    expect(list).toEqual(expected);
    expect(Object.keys(foldedInto)).toEqual(expected);
    expect(equivalence?.maxRelativeDifference).toBeLessThanOrEqual(1e-4);
    expect(folded.layers.map((l) => l.name)).toEqual(names.filter((n) => !expected.includes(n)));
    expect(compareModels(folded, model, { seed: 9, batchSize: 3 }).maxRelativeDifference).toBeLessThan(1e-4);
    if (expected.length > 0) expect(folded.countParams()).toBeLessThan(model.countParams());
    notFoldedNames = notFolded.map((n) => n.layerName);
    disposeFully(folded); // a shared layer holds one reference per call
  });
  expect(snapshot(model)).toEqual(before);
  return notFoldedNames;
}

describeBackends('foldBatchNorm', () => {
  it('LeNet-like conv-BN-relu (with and without conv bias, Dense-BN, BN as the model output)', async () => {
    const model = tfl.sequential({
      layers: [
        L.conv2d({ name: 'c1', inputShape: [12, 12, 1], filters: 4, kernelSize: 5, padding: 'same' }),
        L.batchNormalization({ name: 'bn1' }),
        L.reLU({ name: 'r1' }),
        L.maxPooling2d({ name: 'p1', poolSize: 2 }),
        L.conv2d({ name: 'c2', filters: 6, kernelSize: 3, useBias: false }),
        L.batchNormalization({ name: 'bn2', epsilon: 1e-5 }),
        L.activation({ name: 'r2', activation: 'relu' }),
        L.flatten({ name: 'f' }),
        L.dense({ name: 'd1', units: 10 }),
        L.batchNormalization({ name: 'bn3' }),
        L.dense({ name: 'd2', units: 5, activation: 'softmax' }),
        L.dense({ name: 'd3', units: 3 }),
        L.batchNormalization({ name: 'bn4' }),
      ],
    });
    randomizeWeights(model, 3);
    expect(await foldAndCheck(model, ['bn1', 'bn2', 'bn3', 'bn4'])).toEqual([]);
    model.dispose();
  });

  it('VGG-small from @klevel/zoo with non-trivial moving statistics', async () => {
    const model = vggSmall({ seed: 1 });
    randomizeBatchNorms(model, 5);
    await foldAndCheck(model, ['bn1', 'bn2', 'bn3', 'bn4']);
    model.dispose();
  });

  it('MobileNet-style depthwise block (depth multiplier 2: channel c*mult+m)', async () => {
    const model = mobilenetBlock();
    randomizeWeights(model, 7);
    const bns = model.layers.filter((l) => l.getClassName() === 'BatchNormalization').map((l) => l.name);
    await foldAndCheck(model, bns);
    model.dispose();
  });

  it('SeparableConv2D-BN (pointwise kernel) and a nested model (its BN is left in place)', async () => {
    const inner = tfl.sequential({
      name: 'inner',
      layers: [
        L.conv2d({ name: 'in_c', inputShape: [6, 6, 3], filters: 4, kernelSize: 1 }),
        L.batchNormalization({ name: 'in_bn' }),
      ],
    });
    const x = tfl.input({ shape: [6, 6, 3] });
    let y = L.separableConv2d({
      name: 'sep',
      filters: 5,
      kernelSize: 3,
      padding: 'same',
    }).apply(x) as tfl.SymbolicTensor;
    y = L.batchNormalization({ name: 'bn_sep' }).apply(y) as tfl.SymbolicTensor;
    const z = inner.apply(x) as tfl.SymbolicTensor;
    y = L.concatenate({ name: 'cat' }).apply([y, z]) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: x, outputs: y });
    randomizeWeights(model, 37);
    expect(await foldAndCheck(model, ['bn_sep'])).toEqual(['in_bn']);
    const { model: folded, notFolded } = await foldBatchNorm(model);
    expect(notFolded[0]?.reason).toMatch(/nested model 'inner'/);
    folded.dispose();
    model.dispose();
  });

  it('Conv1D-BN and Dense-BN on a rank-3 input (functional)', async () => {
    const x = tfl.input({ shape: [10, 3] });
    let y = L.conv1d({ name: 'c', filters: 5, kernelSize: 3 }).apply(x) as tfl.SymbolicTensor;
    y = L.batchNormalization({ name: 'bn_c' }).apply(y) as tfl.SymbolicTensor;
    y = L.dense({ name: 'd', units: 4, useBias: false }).apply(y) as tfl.SymbolicTensor;
    y = L.batchNormalization({ name: 'bn_d', axis: 2 }).apply(y) as tfl.SymbolicTensor;
    y = L.activation({ name: 'a', activation: 'tanh' }).apply(y) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: x, outputs: y });
    randomizeWeights(model, 11);
    await foldAndCheck(model, ['bn_c', 'bn_d']);
    model.dispose();
  });

  it('BN without center, without scale, and without both', async () => {
    const model = tfl.sequential({
      layers: [
        L.dense({ name: 'd1', inputShape: [6], units: 5 }),
        L.batchNormalization({ name: 'no_center', center: false }),
        L.dense({ name: 'd2', units: 5 }),
        L.batchNormalization({ name: 'no_scale', scale: false }),
        L.dense({ name: 'd3', units: 4, useBias: false }),
        L.batchNormalization({ name: 'neither', center: false, scale: false }),
      ],
    });
    randomizeWeights(model, 13);
    await foldAndCheck(model, ['no_center', 'no_scale', 'neither']);
    model.dispose();
  });

  it('leaves unfoldable BNs in place with the reason (relu before BN, two consumers, shared, non-last axis)', async () => {
    const x = tfl.input({ shape: [6, 6, 2] });
    // conv with relu, then BN: not foldable.
    const a = L.conv2d({ name: 'relu_conv', filters: 3, kernelSize: 3, activation: 'relu', padding: 'same' });
    const bnAfterRelu = L.batchNormalization({ name: 'bn_after_relu' });
    let y = bnAfterRelu.apply(a.apply(x) as tfl.SymbolicTensor) as tfl.SymbolicTensor;
    // conv whose output feeds the BN and a residual add: not foldable.
    const c = L.conv2d({ name: 'branch_conv', filters: 3, kernelSize: 1 }).apply(y) as tfl.SymbolicTensor;
    const bnBranch = L.batchNormalization({ name: 'bn_two_consumers' }).apply(c) as tfl.SymbolicTensor;
    y = L.add({ name: 'add' }).apply([bnBranch, c]) as tfl.SymbolicTensor;
    // a BN called twice: not foldable.
    const shared = L.batchNormalization({ name: 'bn_shared' });
    const s1 = shared.apply(
      L.conv2d({ name: 's1', filters: 3, kernelSize: 1 }).apply(y),
    ) as tfl.SymbolicTensor;
    const s2 = shared.apply(
      L.conv2d({ name: 's2', filters: 3, kernelSize: 1 }).apply(y),
    ) as tfl.SymbolicTensor;
    y = L.concatenate({ name: 'cat' }).apply([s1, s2]) as tfl.SymbolicTensor;
    // BN over a non-last axis of a Dense output: not foldable.
    y = L.reshape({ name: 'rs', targetShape: [36, 6] }).apply(y) as tfl.SymbolicTensor;
    y = L.dense({ name: 'd', units: 4 }).apply(y) as tfl.SymbolicTensor;
    y = L.batchNormalization({ name: 'bn_axis1', axis: 1 }).apply(y) as tfl.SymbolicTensor;
    // one foldable BN so the rebuild is exercised together with the refusals.
    y = L.dense({ name: 'last', units: 2 }).apply(y) as tfl.SymbolicTensor;
    y = L.batchNormalization({ name: 'bn_ok' }).apply(y) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: x, outputs: y });
    randomizeWeights(model, 17);
    const { model: folded, notFolded } = await foldBatchNorm(model);
    const reasons = Object.fromEntries(notFolded.map((n) => [n.layerName, n.reason]));
    expect(Object.keys(reasons).sort()).toEqual(
      ['bn_after_relu', 'bn_axis1', 'bn_shared', 'bn_two_consumers'].sort(),
    );
    expect(reasons.bn_after_relu).toMatch(/activation 'relu'/);
    expect(reasons.bn_two_consumers).toMatch(/2 consumers/);
    expect(reasons.bn_shared).toMatch(/shared/);
    expect(reasons.bn_axis1).toMatch(/not the last \(channel\) axis/);
    expect(folded.layers.map((l) => l.name)).not.toContain('bn_ok');
    expect(folded.layers.map((l) => l.name)).toContain('bn_two_consumers');
    disposeFully(folded);
    await foldAndCheck(model, ['bn_ok']);
    disposeFully(model);
  });

  it('leaves a BN after a shared producer (called on inputs of different ranks) in place', async () => {
    const x1 = tfl.input({ shape: [3] });
    const x2 = tfl.input({ shape: [5, 3] });
    const shared = L.dense({ name: 'shared_dense', units: 4 });
    const a = L.batchNormalization({ name: 'bn_shared_producer' }).apply(
      shared.apply(x1),
    ) as tfl.SymbolicTensor;
    const b = L.flatten({ name: 'flat' }).apply(shared.apply(x2)) as tfl.SymbolicTensor;
    const y = L.concatenate({ name: 'cat' }).apply([a, b]) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: [x1, x2], outputs: y });
    randomizeWeights(model, 41);
    const notFolded = await foldAndCheck(model, []);
    expect(notFolded).toEqual(['bn_shared_producer']);
    const { model: same, notFolded: why } = await foldBatchNorm(model);
    expect(why[0]?.reason).toMatch(/producer 'shared_dense' is shared \(called 2 times\)/);
    disposeFully(same);
    disposeFully(model);
  });

  it('leaves a channels-first conv + BN(axis 1) in place', async () => {
    const model = tfl.sequential({
      layers: [
        L.conv2d({
          name: 'cf',
          inputShape: [2, 6, 6],
          filters: 3,
          kernelSize: 3,
          dataFormat: 'channelsFirst',
        }),
        L.batchNormalization({ name: 'bn_cf', axis: 1 }),
        L.flatten({ name: 'f' }),
        L.dense({ name: 'd', units: 2 }),
        L.batchNormalization({ name: 'bn_d' }),
      ],
    });
    randomizeWeights(model, 29);
    const { model: folded, notFolded } = await foldBatchNorm(model);
    expect(notFolded).toHaveLength(1);
    expect(notFolded[0]?.layerName).toBe('bn_cf');
    expect(notFolded[0]?.reason).toMatch(/channels-first/);
    folded.dispose();
    expect(await foldAndCheck(model, ['bn_d'])).toEqual(['bn_cf']);
    model.dispose();
  });

  it('a failed output check throws with the measured difference and frees the new model', async () => {
    const model = tfl.sequential({
      layers: [
        L.conv2d({ name: 'c', inputShape: [5, 5, 3], filters: 8, kernelSize: 3 }),
        L.batchNormalization({ name: 'bn' }),
      ],
    });
    randomizeWeights(model, 31);
    // Float32 rounding makes the folded outputs differ slightly (~1e-7): a zero tolerance must fail.
    await expectNoLeaks(async () => {
      await expect(foldBatchNorm(model, { check: { tolerance: 0 } })).rejects.toThrow(
        /foldBatchNorm: the folded model's outputs differ .* above check.tolerance 0. Folded: bn -> c/,
      );
    });
    model.dispose();
  });

  it('nothing to fold: an equal copy; a negative tolerance is refused', async () => {
    const model = tfl.sequential({ layers: [L.dense({ inputShape: [3], units: 2, activation: 'relu' })] });
    const r = await foldBatchNorm(model);
    expect(r.folded).toEqual([]);
    expect(compareModels(r.model, model).maxAbsoluteDifference).toBe(0);
    r.model.dispose();
    await expect(foldBatchNorm(model, { check: { tolerance: -1 } })).rejects.toThrow(/check.tolerance/);
    model.dispose();
  });

  it('prune(model, { foldBatchNorm: true }) folds after pruning and the report names the folds', async () => {
    const model = vggBn();
    randomizeBatchNorms(model, 19);
    sparsify(model, 23);
    const before = snapshot(model);
    await expectNoLeaks(async () => {
      const plain = await prune(model, { check: { tolerance: 1e-5 } });
      const { model: small, report } = await prune(model, { foldBatchNorm: true });
      const bns = model.layers.filter((l) => l.getClassName() === 'BatchNormalization').map((l) => l.name);
      expect(report.foldedBatchNorm).toEqual(bns);
      expect(plain.report.foldedBatchNorm).toBeUndefined();
      expect(small.layers.some((l) => l.getClassName() === 'BatchNormalization')).toBe(false);
      expect(small.countParams()).toBeLessThan(plain.model.countParams());
      expect(report.total.paramsAfter).toBe(small.countParams());
      expect(report.equivalence?.maxRelativeDifference).toBeLessThanOrEqual(1e-4);
      expect(String(report)).toMatch(/folded BatchNorm: /);
      expect(compareModels(small, plain.model, { seed: 4 }).maxRelativeDifference).toBeLessThan(1e-4);
      small.dispose();
      plain.model.dispose();
    });
    expect(snapshot(model)).toEqual(before);
    model.dispose();
  });
});
