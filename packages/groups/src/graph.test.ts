import { describeBackends, expectNoLeaks } from '@klevel/test-utils';
import { expect, it } from 'vitest';
import {
  inception,
  lenet5,
  mlp,
  mobilenetBlock,
  resnetBlocks,
  twoOutputs,
  vggBlock,
} from './__fixtures__/models';
import { buildDependencyGraph } from './graph';
import type { DependencyGraph } from './graph-types';

/** Channel ids of a layer's output binding named `weight` (axis given), as plain numbers. */
function bound(graph: DependencyGraph, layer: string, weight: string, axis: number): number[] {
  const b = graph.layerByName.get(layer)!.bindings.find((x) => x.weightName === weight && x.axis === axis);
  if (!b) throw new Error(`no binding ${layer}/${weight}@${axis}`);
  return [...b.channels];
}

describeBackends('buildDependencyGraph', () => {
  it('LeNet-5: one space per producer, Flatten repeats channel c at rows p*C + c', async () => {
    const model = lenet5();
    const graph = await expectNoLeaks(() => buildDependencyGraph(model));
    expect(graph.layers.map((l) => l.name)).toEqual(['c1', 'p1', 'c2', 'p2', 'flat', 'd1', 'd2', 'out']);
    expect(graph.spaces.map((s) => [s.sources.join('+'), s.channels.length])).toEqual([
      ['input:c1_input', 1],
      ['c1', 6],
      ['c2', 16],
      ['d1', 120],
      ['d2', 84],
      ['out', 10],
    ]);
    const c2 = bound(graph, 'c2', 'kernel', 3);
    const rows = bound(graph, 'd1', 'kernel', 0);
    expect(rows).toHaveLength(5 * 5 * 16);
    for (let p = 0; p < 25; p++) for (let c = 0; c < 16; c++) expect(rows[p * 16 + c]).toBe(c2[c]);
    expect(bound(graph, 'c2', 'kernel', 2)).toEqual(bound(graph, 'c1', 'kernel', 3));
    // hidden channels removable; input and output channels not
    const out = bound(graph, 'out', 'kernel', 1).map((id) => graph.channels[id]!);
    expect(out.every((ch) => ch.filterBlock?.kind === 'output')).toBe(true);
    expect(graph.channels[bound(graph, 'c1', 'kernel', 2)[0]!]!.filterBlock?.kind).toBe('input');
    expect(c2.every((id) => graph.channels[id]!.filterBlock === undefined)).toBe(true);
    expect(graph.layerByName.get('d1')!.groupTypes).toEqual([
      'filters',
      'neurons',
      'channels',
      'layer',
      'weights',
      'custom',
    ]);
    expect(graph.layerByName.get('c1')!.groupTypes).toEqual([
      'filters',
      'channels',
      'filter-shapes',
      'layer',
      'weights',
      'custom',
    ]);
    expect(graph.layerByName.get('p1')!.groupTypes).toEqual([]);
  });

  it('VGG block: BatchNorm entries follow the conv channels, gamma/beta regularized, moving stats not', () => {
    const graph = buildDependencyGraph(vggBlock());
    const v1 = bound(graph, 'v1', 'kernel', 3);
    const bn1 = graph.layerByName.get('bn1')!;
    expect(bn1.bindings.map((b) => [b.weightName, b.role, b.regularized])).toEqual([
      ['gamma', 'channelwise', true],
      ['beta', 'channelwise', true],
      ['moving_mean', 'channelwise', false],
      ['moving_variance', 'channelwise', false],
    ]);
    for (const b of bn1.bindings) expect([...b.channels]).toEqual(v1);
    expect(bound(graph, 'v2', 'kernel', 2)).toEqual(v1);
    // v1 has useBias: false -> no bias binding
    expect(graph.layerByName.get('v1')!.bindings.map((b) => b.weightName)).toEqual(['kernel', 'kernel']);
  });

  it('ResNet blocks: Add couples the stem with the identity branch and the two projection producers', () => {
    const graph = buildDependencyGraph(resnetBlocks());
    expect(bound(graph, 'b1', 'kernel', 3)).toEqual(bound(graph, 'stem', 'kernel', 3));
    expect(bound(graph, 'b2', 'kernel', 3)).toEqual(bound(graph, 'sc', 'kernel', 3));
    expect(bound(graph, 'a1', 'kernel', 3)).not.toEqual(bound(graph, 'stem', 'kernel', 3).slice(0, 6));
    const spaces = graph.spaces.map((s) => [...s.sources].sort().join('+'));
    expect(spaces).toEqual(['input:img', 'b1+stem', 'a1', 'a2', 'b2+sc', 'fc']);
    const stem0 = graph.channels[bound(graph, 'stem', 'kernel', 3)[0]!]!;
    expect(stem0.producers).toEqual([
      { layerName: 'stem', index: 0 },
      { layerName: 'b1', index: 0 },
    ]);
    expect(stem0.filterBlock).toBeUndefined();
  });

  it('Inception: Concatenate lays the branches side by side at offsets 0, 2, 5', () => {
    const graph = buildDependencyGraph(inception());
    const mixIn = bound(graph, 'mix', 'kernel', 2);
    expect(mixIn).toEqual([
      ...bound(graph, 'br1', 'kernel', 3),
      ...bound(graph, 'br2', 'kernel', 3),
      ...bound(graph, 'br3', 'kernel', 3),
    ]);
    const stem = bound(graph, 'stem', 'kernel', 3);
    for (const br of ['br1', 'br2', 'br3']) expect(bound(graph, br, 'kernel', 2)).toEqual(stem);
  });

  it('MobileNet block: depthwise output c*M + m follows input channel c', () => {
    const graph = buildDependencyGraph(mobilenetBlock());
    const conv = bound(graph, 'm_conv', 'kernel', 3);
    expect(bound(graph, 'm_dw', 'depthwise_kernel', 2)).toEqual(conv);
    expect(bound(graph, 'm_dw', 'bias', 0)).toEqual(conv.flatMap((c) => [c, c]));
    expect(bound(graph, 'm_pw', 'kernel', 2)).toEqual(conv.flatMap((c) => [c, c]));
    expect(bound(graph, 'm_bn1', 'gamma', 0)).toEqual(conv.flatMap((c) => [c, c]));
    const dw = graph.layerByName.get('m_dw')!;
    expect(dw.bindings.every((b) => b.role === 'channelwise' && b.regularized)).toBe(true);
    expect(dw.groupTypes).toEqual(['layer', 'weights', 'custom']);
  });

  it('MLP: a sigmoid blocks filter removal but not input-channel removal', () => {
    const graph = buildDependencyGraph(mlp());
    const h2 = bound(graph, 'h2', 'kernel', 1).map((id) => graph.channels[id]!);
    expect(h2.every((ch) => ch.filterBlock?.kind === 'nonzero')).toBe(true);
    expect(h2[0]!.filterBlock!.reason).toMatch(/sigmoid.*h2.*f\(0\) != 0/);
    expect(h2.every((ch) => ch.channelBlock === undefined)).toBe(true);
    const h1 = bound(graph, 'h1', 'kernel', 1).map((id) => graph.channels[id]!);
    expect(h1.every((ch) => ch.filterBlock === undefined)).toBe(true);
  });

  it('two inputs and two outputs: the trunk feeds an output head, so it is not removable; inputs are not', () => {
    const graph = buildDependencyGraph(twoOutputs());
    const shared = bound(graph, 'shared', 'kernel', 0);
    expect(shared.slice(6)).toEqual([...graph.layerByName.get('join')!.inputChannels[1]!]);
    const trunk = bound(graph, 'trunk', 'kernel', 1).map((id) => graph.channels[id]!);
    expect(trunk.every((ch) => ch.filterBlock === undefined)).toBe(true);
    const sharedOut = bound(graph, 'shared', 'kernel', 1).map((id) => graph.channels[id]!);
    expect(sharedOut.every((ch) => ch.filterBlock === undefined)).toBe(true);
    const inB = shared.slice(6).map((id) => graph.channels[id]!);
    expect(inB.every((ch) => ch.filterBlock?.kind === 'input')).toBe(true);
    for (const head of ['head1', 'head2']) {
      const out = bound(graph, head, 'kernel', 1).map((id) => graph.channels[id]!);
      expect(out.every((ch) => ch.filterBlock?.kind === 'output')).toBe(true);
    }
  });
});
