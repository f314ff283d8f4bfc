/**
 * The zero-invariance contract, checked end to end: zero every regularized parameter of removable groups,
 * physically remove their channels with the reference remover, and the outputs do not change.
 */
import { describeBackends, maxRelativeDifference, seededRandom } from '@klevel/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import {
  densenetBlock,
  embeddingConv1d,
  inception,
  lenet5,
  mlp,
  mobilenetBlock,
  randomizeWeights,
  resnetBlocks,
  seBlock,
  separableTranspose,
  sequenceZoo,
  twoOutputs,
  vggBlock,
} from './__fixtures__/models';
import { outputs, removeChannels, zeroGroups } from './__fixtures__/reference-remover';
import { countParams } from './flops';
import { buildDependencyGraph } from './graph';
import { partitionGroups } from './partition';
import type { GroupSpec } from './spec';
import type { Group } from './types';

function inputsFor(model: tfl.LayersModel, seed: number, integer = false): tf.Tensor[] {
  const rnd = seededRandom(seed);
  return model.inputs.map((t) => {
    const shape = [2, ...(t.shape.slice(1) as number[])];
    const n = shape.reduce((p, d) => p * d, 1);
    const data = Float32Array.from({ length: n }, () => (integer ? Math.floor(rnd() * 20) : rnd() * 2 - 1));
    return tf.tensor(data, shape);
  });
}

/** Zeroes every other removable group, removes them, and returns the worst relative output change. */
async function zeroAndRemove(
  model: tfl.LayersModel,
  spec: GroupSpec,
  pick: (g: Group, i: number) => boolean = (_g, i) => i % 2 === 0,
  integer = false,
  zero = true,
): Promise<{ rel: number; removed: number; paramsBefore: number; paramsAfter: number }> {
  randomizeWeights(model, 7);
  const graph = buildDependencyGraph(model);
  const { groups } = partitionGroups(model, spec, { graph });
  const chosen = groups.filter((g) => g.removable).filter(pick);
  expect(chosen.length).toBeGreaterThan(0);
  if (zero) zeroGroups(model, chosen);
  const x = inputsFor(model, 3, integer);
  const before = outputs(model, x);
  const pruned = await removeChannels(model, graph, new Set(chosen.map((g) => g.channel!)));
  const after = outputs(pruned, x);
  tf.dispose(x);
  const rel = Math.max(...before.map((b, i) => maxRelativeDifference(after[i]!, b)));
  const result = {
    rel,
    removed: chosen.length,
    paramsBefore: countParams(model).total,
    paramsAfter: countParams(pruned).total,
  };
  pruned.dispose();
  return result;
}

describeBackends('zero-invariance: removal of zeroed removable groups keeps the outputs', () => {
  const cases: Array<[string, () => tfl.LayersModel, GroupSpec, boolean?]> = [
    ['LeNet-5 filters', lenet5, 'filters'],
    ['VGG block with BN, filters', vggBlock, 'filters'],
    ['VGG block with BN, input channels', vggBlock, 'channels'],
    ['ResNet identity + projection blocks', resnetBlocks, 'filters'],
    ['ResNet blocks, input channels', resnetBlocks, 'channels'],
    ['Inception concat', inception, 'filters'],
    ['MobileNet depthwise block', mobilenetBlock, 'filters'],
    ['MLP neurons', mlp, 'neurons'],
    ['two inputs, two outputs', twoOutputs, 'filters'],
    ['Embedding + Conv1D', embeddingConv1d, 'filters', true],
    ['SeparableConv2D + Conv2DTranspose', separableTranspose, 'filters'],
    ['DenseNet-style concat + BN', densenetBlock, 'filters'],
    ['DenseNet-style concat + BN, input channels', densenetBlock, 'channels'],
    ['Conv1D + PReLU / LeakyReLU / ELU / pooling', sequenceZoo, 'filters'],
    ['MLP input channels (behind a sigmoid: removable)', mlp, 'channels'],
    ['squeeze-and-excitation gate, sigmoid cleared by BatchNorm', seBlock, 'filters'],
  ];
  for (const [title, build, spec, integer] of cases) {
    it(title, async () => {
      const model = build();
      const r = await zeroAndRemove(model, spec, undefined, integer ?? false);
      expect(r.rel).toBeLessThanOrEqual(1e-5);
      expect(r.paramsAfter).toBeLessThan(r.paramsBefore);
      model.dispose();
    });
  }

  it('control: removing the same channels WITHOUT zeroing changes the outputs', async () => {
    const model = resnetBlocks();
    const r = await zeroAndRemove(model, 'filters', undefined, false, false);
    expect(r.rel).toBeGreaterThan(1e-3);
    model.dispose();
  });

  it('control: a sigmoid channel (not removable) does change the outputs when zeroed and removed', async () => {
    const model = mlp();
    randomizeWeights(model, 7);
    const graph = buildDependencyGraph(model);
    const { groups } = partitionGroups(model, { rules: [{ layers: ['h2'], type: 'neurons' }] }, { graph });
    expect(groups.every((g) => !g.removable && /sigmoid/.test(g.reason ?? ''))).toBe(true);
    zeroGroups(model, groups.slice(0, 2));
    const x = inputsFor(model, 3);
    const before = outputs(model, x);
    const pruned = await removeChannels(model, graph, new Set(groups.slice(0, 2).map((g) => g.channel!)));
    const after = outputs(pruned, x);
    expect(maxRelativeDifference(after[0]!, before[0]!)).toBeGreaterThan(1e-3);
    tf.dispose(x);
    pruned.dispose();
    model.dispose();
  });
});
