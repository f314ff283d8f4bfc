import { describeBackends, expectNoLeaks } from '@klevel/test-utils';
import { expect, it } from 'vitest';
import {
  embeddingConv1d,
  inception,
  lenet5,
  mlp,
  mobilenetBlock,
  resnetBlocks,
  separableTranspose,
  twoOutputs,
  vggBlock,
} from './__fixtures__/models';
import { buildDependencyGraph } from './graph';
import { partitionGroups } from './partition';
import type { Group, WeightSlice } from './types';

const sl = (
  layerName: string,
  weightName: string,
  axis: number,
  indices: number[],
  regularized: boolean,
) => ({
  layerName,
  weightName,
  axis,
  indices,
  regularized,
});

function shape(s: WeightSlice) {
  return {
    layerName: s.layerName,
    weightName: s.weightName,
    axis: s.axis,
    indices: s.indices,
    regularized: s.regularized,
  };
}

function byId(groups: Group[], id: string): Group {
  const g = groups.find((x) => x.id === id);
  if (!g) throw new Error(`no group ${id}; have ${groups.slice(0, 5).map((x) => x.id)}...`);
  return g;
}

describeBackends('partitionGroups', () => {
  it("LeNet-5 'filters': one group per filter/unit, consumers' input slices removed along", async () => {
    const model = lenet5();
    const { groups, terms } = await expectNoLeaks(() => partitionGroups(model, 'filters'));
    expect(groups).toHaveLength(6 + 16 + 120 + 84 + 10);
    expect(groups.slice(0, 7).map((g) => g.id)).toEqual([
      'c1/filters/0',
      'c1/filters/1',
      'c1/filters/2',
      'c1/filters/3',
      'c1/filters/4',
      'c1/filters/5',
      'c2/filters/0',
    ]);
    const g = byId(groups, 'c1/filters/2');
    expect(g.slices.map(shape)).toEqual([
      sl('c1', 'kernel', 3, [2], true),
      sl('c1', 'bias', 0, [2], true),
      sl('c2', 'kernel', 2, [2], false),
    ]);
    expect(g).toMatchObject({ type: 'filters', layerName: 'c1', index: 2, size: 26, removable: true });
    expect(g.weight).toBeCloseTo(Math.sqrt(26), 12);
    const c2 = byId(groups, 'c2/filters/3');
    expect(c2.size).toBe(5 * 5 * 6 + 1);
    expect(c2.slices[2]).toMatchObject({ layerName: 'd1', axis: 0, regularized: false });
    expect(c2.slices[2]!.indices).toEqual(Array.from({ length: 25 }, (_, p) => p * 16 + 3));
    const out = groups.filter((x) => x.layerName === 'out');
    expect(out.every((x) => !x.removable && /model output 'out'/.test(x.reason!))).toBe(true);
    expect(groups.filter((x) => x.removable)).toHaveLength(226);
    // terms: one per (variable, axis), group ids in order
    expect(terms.map((t) => [t.layerName, t.weightName, t.groupAxes])).toEqual([
      ['c1', 'kernel', [3]],
      ['c1', 'bias', [0]],
      ['c2', 'kernel', [3]],
      ['c2', 'bias', [0]],
      ['d1', 'kernel', [1]],
      ['d1', 'bias', [0]],
      ['d2', 'kernel', [1]],
      ['d2', 'bias', [0]],
      ['out', 'kernel', [1]],
      ['out', 'bias', [0]],
    ]);
    expect([...terms[0]!.groupIds]).toEqual([0, 1, 2, 3, 4, 5]);
    expect([...terms[2]!.groupIds]).toEqual(Array.from({ length: 16 }, (_, i) => 6 + i));
    expect(terms[0]!.shape).toEqual([5, 5, 1, 6]);
  });

  it('VGG + BN: gamma and beta are regularized members, moving statistics removed along', () => {
    const { groups } = partitionGroups(vggBlock(), 'filters');
    const v1 = byId(groups, 'v1/filters/5');
    expect(v1.slices.map(shape)).toEqual([
      sl('v1', 'kernel', 3, [5], true),
      sl('bn1', 'gamma', 0, [5], true),
      sl('bn1', 'beta', 0, [5], true),
      sl('bn1', 'moving_mean', 0, [5], false),
      sl('bn1', 'moving_variance', 0, [5], false),
      sl('v2', 'kernel', 2, [5], false),
    ]);
    expect(v1.size).toBe(27 + 2);
    expect(byId(groups, 'v2/filters/0').size).toBe(72 + 1 + 2);
    expect(byId(groups, 'v2/filters/0').slices.at(-1)).toMatchObject({ layerName: 'head', axis: 0 });
  });

  it('ResNet: filters coupled across Add are ONE group named after the first producer', () => {
    const { groups } = partitionGroups(resnetBlocks(), 'filters');
    expect(groups.filter((g) => g.layerName === 'b1')).toHaveLength(0);
    expect(groups.filter((g) => g.layerName === 'b2')).toHaveLength(0);
    const stem = byId(groups, 'stem/filters/1');
    expect(stem.slices.map(shape)).toEqual([
      sl('stem', 'kernel', 3, [1], true),
      sl('stem', 'bias', 0, [1], true),
      sl('stem_bn', 'gamma', 0, [1], true),
      sl('stem_bn', 'beta', 0, [1], true),
      sl('stem_bn', 'moving_mean', 0, [1], false),
      sl('stem_bn', 'moving_variance', 0, [1], false),
      sl('a1', 'kernel', 2, [1], false),
      sl('b1', 'kernel', 3, [1], true),
      sl('b1', 'bias', 0, [1], true),
      sl('b1_bn', 'gamma', 0, [1], true),
      sl('b1_bn', 'beta', 0, [1], true),
      sl('b1_bn', 'moving_mean', 0, [1], false),
      sl('b1_bn', 'moving_variance', 0, [1], false),
      sl('a2', 'kernel', 2, [1], false),
      sl('sc', 'kernel', 2, [1], false),
    ]);
    expect(stem.size).toBe(27 + 1 + 2 + 54 + 1 + 2);
    const proj = groups.filter((g) =>
      g.slices.some((s) => s.layerName === 'b2' && s.weightName === 'kernel' && s.axis === 3),
    );
    expect(proj).toHaveLength(5);
    // the projection shortcut and b2 are coupled: their group lists both kernels
    expect(
      proj[0]!.slices
        .filter((s) => s.regularized)
        .map((s) => `${s.layerName}/${s.weightName}`)
        .sort(),
    ).toEqual(['b2/bias', 'b2/kernel', 'sc/bias', 'sc/kernel', 'sc_bn/beta', 'sc_bn/gamma']);
    expect(groups.map((g) => g.layerName).filter((n, i, a) => a.indexOf(n) === i)).toEqual([
      'stem',
      'a1',
      'a2',
      'sc',
      'fc',
    ]);
  });

  it('Inception: the 1x1 mixer input slices sit at the concat offsets', () => {
    const { groups } = partitionGroups(inception(), 'filters');
    expect(byId(groups, 'br2/filters/1').slices.at(-1)).toMatchObject({
      layerName: 'mix',
      axis: 2,
      indices: [3],
    });
    expect(byId(groups, 'br3/filters/0').slices.at(-1)).toMatchObject({
      layerName: 'mix',
      axis: 2,
      indices: [5],
    });
    expect(
      byId(groups, 'stem/filters/0')
        .slices.filter((s) => !s.regularized)
        .map((s) => s.layerName),
    ).toEqual(['br1', 'br2', 'br3']);
  });

  it('MobileNet: the depthwise kernel/bias and both BNs join the producer filter group', () => {
    const { groups } = partitionGroups(mobilenetBlock(), 'filters');
    const g = byId(groups, 'm_conv/filters/1');
    expect(g.slices.map(shape)).toEqual([
      sl('m_conv', 'kernel', 3, [1], true),
      sl('m_bn0', 'gamma', 0, [1], true),
      sl('m_bn0', 'beta', 0, [1], true),
      sl('m_bn0', 'moving_mean', 0, [1], false),
      sl('m_bn0', 'moving_variance', 0, [1], false),
      sl('m_dw', 'depthwise_kernel', 2, [1], true),
      sl('m_dw', 'bias', 0, [2, 3], true),
      sl('m_bn1', 'gamma', 0, [2, 3], true),
      sl('m_bn1', 'beta', 0, [2, 3], true),
      sl('m_bn1', 'moving_mean', 0, [2, 3], false),
      sl('m_bn1', 'moving_variance', 0, [2, 3], false),
      sl('m_pw', 'kernel', 2, [2, 3], false),
    ]);
    expect(g.size).toBe(27 + 2 + 18 + 2 + 4);
  });

  it('MLP neurons: hidden units removable, sigmoid units compression-only, outputs fixed', () => {
    const { groups } = partitionGroups(mlp(), 'neurons');
    expect(groups.map((g) => g.layerName)).toEqual([
      ...Array(8).fill('h1'),
      ...Array(6).fill('h2'),
      ...Array(3).fill('o'),
    ]);
    expect(byId(groups, 'h1/neurons/3').slices.map(shape)).toEqual([
      sl('h1', 'kernel', 1, [3], true),
      sl('h1', 'bias', 0, [3], true),
      sl('h2', 'kernel', 0, [3], false),
    ]);
    expect(byId(groups, 'h1/neurons/3')).toMatchObject({ size: 11, removable: true });
    expect(groups.filter((g) => g.layerName === 'h2').every((g) => !g.removable)).toBe(true);
    expect(byId(groups, 'h2/neurons/0').reason).toBe(
      "filter 0 of 'h2' is compression-only: it passes activation 'sigmoid' of layer 'h2' with f(0) != 0, and layer 'o' reads it",
    );
  });

  it('two inputs / two outputs: the trunk unit is read by both the shared layer (after concat) and a head', () => {
    const { groups } = partitionGroups(twoOutputs(), 'filters');
    expect(byId(groups, 'trunk/filters/5').slices.map(shape)).toEqual([
      sl('trunk', 'kernel', 1, [5], true),
      sl('trunk', 'bias', 0, [5], true),
      sl('shared', 'kernel', 0, [5], false),
      sl('head2', 'kernel', 0, [5], false),
    ]);
    expect(byId(groups, 'shared/filters/0').slices.at(-1)).toMatchObject({
      layerName: 'head1',
      axis: 0,
      indices: [0],
    });
    expect(groups.filter((g) => g.layerName.startsWith('head')).every((g) => !g.removable)).toBe(true);
    expect(groups.filter((g) => g.removable)).toHaveLength(6 + 4);
  });

  it('Embedding + Conv1D: the embedding column is a filter; Conv1D kernel is [k, in, out]', () => {
    const { groups } = partitionGroups(embeddingConv1d(), 'filters');
    expect(byId(groups, 'emb/filters/4').slices.map(shape)).toEqual([
      sl('emb', 'embeddings', 1, [4], true),
      sl('c1d', 'kernel', 1, [4], false),
    ]);
    expect(byId(groups, 'emb/filters/4').size).toBe(20);
    expect(byId(groups, 'c1d/filters/1').slices.map(shape)).toEqual([
      sl('c1d', 'kernel', 2, [1], true),
      sl('c1d', 'bias', 0, [1], true),
      sl('cls', 'kernel', 0, [1], false),
    ]);
  });

  it('SeparableConv2D and Conv2DTranspose slices', () => {
    const { groups } = partitionGroups(separableTranspose(), 'filters');
    expect(byId(groups, 's_in/filters/1').slices.map(shape)).toEqual([
      sl('s_in', 'kernel', 3, [1], true),
      sl('s_in', 'bias', 0, [1], true),
      sl('sep', 'depthwise_kernel', 2, [1], false),
      sl('sep', 'pointwise_kernel', 2, [2, 3], false),
    ]);
    expect(byId(groups, 'sep/filters/4').slices.map(shape)).toEqual([
      sl('sep', 'pointwise_kernel', 3, [4], true),
      sl('sep', 'bias', 0, [4], true),
      sl('tr', 'kernel', 3, [4], false),
    ]);
    expect(byId(groups, 'sep/filters/4').size).toBe(6 + 1);
    expect(byId(groups, 'tr/filters/2').slices.map(shape)).toEqual([
      sl('tr', 'kernel', 2, [2], true),
      sl('tr', 'bias', 0, [2], true),
      sl('s_out', 'kernel', 2, [2], false),
    ]);
    expect(byId(groups, 'tr/filters/2').size).toBe(3 * 3 * 5 + 1);
  });

  it("'channels': every consumer's input slice regularized, producer slices removed along", () => {
    const { groups } = partitionGroups(lenet5(), { rules: [{ layers: ['c2', 'd1'], type: 'channels' }] });
    expect(groups).toHaveLength(6 + 16);
    const c = byId(groups, 'c2/channels/4');
    expect(c.slices.map(shape)).toEqual([
      sl('c1', 'kernel', 3, [4], false),
      sl('c1', 'bias', 0, [4], false),
      sl('c2', 'kernel', 2, [4], true),
    ]);
    expect(c.size).toBe(25 * 16);
    const d = byId(groups, 'd1/channels/7');
    expect(d.size).toBe(25 * 120);
    expect(d.slices.find((s) => s.regularized)!.indices).toHaveLength(25);
    expect(groups.every((x) => x.removable)).toBe(true);
  });

  it('mixed rules by name, class and predicate, with an exclusion', () => {
    const { groups, terms } = partitionGroups(lenet5(), {
      rules: [
        { layers: ['c1'], type: 'filter-shapes' },
        { layers: (l) => l.name === 'c2', type: 'filters' },
        { layers: { className: 'Dense' }, type: 'neurons' },
      ],
      exclude: ['out'],
    });
    expect(groups.filter((g) => g.type === 'filter-shapes')).toHaveLength(25);
    const fs = byId(groups, 'c1/filter-shapes/7');
    expect(fs.slices).toEqual([
      {
        layerName: 'c1',
        weightName: 'kernel',
        variableName: fs.slices[0]!.variableName,
        axis: 0,
        axes: [0, 1, 2],
        indices: [7],
        regularized: true,
      },
    ]);
    expect(fs).toMatchObject({ size: 6, removable: false });
    expect(fs.reason).toMatch(/compression-only/);
    expect(groups.filter((g) => g.layerName === 'c2')).toHaveLength(16);
    expect(groups.filter((g) => g.type === 'neurons').map((g) => g.layerName)).toEqual([
      ...Array(120).fill('d1'),
      ...Array(84).fill('d2'),
    ]);
    expect(groups.some((g) => g.layerName === 'out')).toBe(false);
    const fsTerm = terms.find((t) => t.layerName === 'c1' && t.groupAxes.length === 3)!;
    expect(fsTerm.groupIds).toHaveLength(25);
    expect([...fsTerm.groupIds.slice(0, 3)]).toEqual([0, 1, 2]);
  });

  it('{ all: true } takes every remaining layer; explicit rules win', () => {
    const { groups } = partitionGroups(lenet5(), {
      rules: [
        { layers: { all: true }, type: 'filters' },
        { layers: ['d1'], type: 'layer' },
      ],
    });
    expect(groups.filter((g) => g.layerName === 'd1').map((g) => g.id)).toEqual(['d1/layer/0']);
    expect(groups.filter((g) => g.type === 'filters')).toHaveLength(6 + 16 + 84 + 10);
  });

  it("'layer' and custom groups are compression-only", () => {
    const { groups } = partitionGroups(lenet5(), {
      rules: [
        { layers: ['d1'], type: 'layer' },
        {
          layers: ['out'],
          type: { custom: () => [{ slices: [{ weightName: 'bias', axis: 0, indices: [3, 1] }] }] },
        },
      ],
    });
    expect(groups.map((g) => g.id)).toEqual(['d1/layer/0', 'out/custom/0']);
    expect(groups[0]!.size).toBe(400 * 120 + 120);
    expect(groups[0]!.removable).toBe(false);
    expect(groups[1]!.slices[0]!.indices).toEqual([1, 3]);
    expect(groups[1]!.size).toBe(2);
    expect(groups[1]!.reason).toMatch(/custom/);
  });

  it("'weights' makes one group per scalar; multi-axis slices use row-major positions", () => {
    const { groups, terms } = partitionGroups(lenet5(), { rules: [{ layers: ['c1'], type: 'weights' }] });
    expect(groups).toHaveLength(5 * 5 * 6 + 6);
    expect(groups[7]!.slices[0]).toMatchObject({ axes: [0, 1, 2, 3], indices: [7], axis: 0 });
    expect(groups.at(-1)!.slices[0]).toMatchObject({ weightName: 'bias', axis: 0, indices: [5] });
    expect(groups.at(-1)!.slices[0]!.axes).toBeUndefined();
    expect(terms.map((t) => t.groupAxes)).toEqual([[0, 1, 2, 3], [0]]);
    expect(groups.every((g) => g.size === 1 && g.weight === 1)).toBe(true);
  });

  it('accepts a prebuilt graph and rejects one built for another model', () => {
    const model = vggBlock();
    const graph = buildDependencyGraph(model);
    expect(partitionGroups(model, 'filters', { graph }).groups.length).toBe(8 + 8 + 4);
    expect(() => partitionGroups(vggBlock(), 'filters', { graph })).toThrow(/different model/);
  });

  it('is deterministic', () => {
    const model = resnetBlocks();
    const a = partitionGroups(model, 'filters');
    const b = partitionGroups(model, 'filters');
    expect(b.groups).toEqual(a.groups);
    expect(b.terms).toEqual(a.terms);
  });
});
