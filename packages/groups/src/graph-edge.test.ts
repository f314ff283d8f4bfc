import { describeBackends } from '@klevel/test-utils';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import { embeddingConv1d, seBlock, separableTranspose } from './__fixtures__/models';
import { buildDependencyGraph } from './graph';
import type { DependencyGraph } from './graph-types';
import { partitionGroups } from './partition';

const L = tfl.layers;
type ST = tfl.SymbolicTensor;

function bound(graph: DependencyGraph, layer: string, weight: string, axis: number): number[] {
  return [
    ...graph.layerByName.get(layer)!.bindings.find((b) => b.weightName === weight && b.axis === axis)!
      .channels,
  ];
}

describeBackends('buildDependencyGraph: layer coverage and edge cases', () => {
  it('Conv2DTranspose kernel is [kh, kw, out, in]; SeparableConv2D pointwise rows repeat the input', () => {
    const graph = buildDependencyGraph(separableTranspose());
    const sIn = bound(graph, 's_in', 'kernel', 3);
    expect(bound(graph, 'sep', 'depthwise_kernel', 2)).toEqual(sIn);
    expect(bound(graph, 'sep', 'pointwise_kernel', 2)).toEqual(sIn.flatMap((c) => [c, c]));
    const sep = bound(graph, 'sep', 'pointwise_kernel', 3);
    expect(bound(graph, 'tr', 'kernel', 3)).toEqual(sep);
    const tr = bound(graph, 'tr', 'kernel', 2);
    expect(tr).toHaveLength(4);
    expect(bound(graph, 'tr', 'bias', 0)).toEqual(tr);
    expect(bound(graph, 's_out', 'kernel', 2)).toEqual(tr);
    const roles = graph.layerByName.get('tr')!.bindings.map((b) => [b.weightName, b.axis, b.role]);
    expect(roles).toEqual([
      ['kernel', 2, 'output'],
      ['kernel', 3, 'input'],
      ['bias', 0, 'output'],
    ]);
  });

  it('Conv3D kernel is [kd, kh, kw, in, out]; Conv3DTranspose is [kd, kh, kw, out, in]', () => {
    const model = tfl.sequential({
      layers: [
        L.conv3d({ name: 'c3', inputShape: [4, 4, 4, 2], filters: 3, kernelSize: 3, padding: 'same' }),
        L.conv3dTranspose({ name: 't3', filters: 2, kernelSize: 2, strides: 2 }),
      ],
    });
    const graph = buildDependencyGraph(model);
    expect(bound(graph, 't3', 'kernel', 4)).toEqual(bound(graph, 'c3', 'kernel', 4));
    expect(bound(graph, 't3', 'kernel', 3)).toEqual(bound(graph, 't3', 'bias', 0));
    expect(graph.layerByName.get('t3')!.groupTypes).toContain('filter-shapes');
  });

  it('Embedding output dimension is a producer space feeding Conv1D', () => {
    const graph = buildDependencyGraph(embeddingConv1d());
    const emb = bound(graph, 'emb', 'embeddings', 1);
    expect(emb).toHaveLength(6);
    expect(bound(graph, 'c1d', 'kernel', 1)).toEqual(emb);
    expect(emb.every((id) => graph.channels[id]!.filterBlock === undefined)).toBe(true);
    expect(graph.layerByName.get('emb')!.configKey).toBe('outputDim');
  });

  it('nested models are flattened and a shared layer couples what reaches the same kernel rows', () => {
    const inner = tfl.sequential({
      name: 'inner',
      layers: [
        L.dense({ name: 'in_d', inputShape: [4], units: 3, activation: 'relu' }),
        L.batchNormalization({ name: 'in_bn' }),
      ],
    });
    const a = tfl.input({ name: 'a', shape: [5] });
    const pa = L.dense({ name: 'pa', units: 4 }).apply(a) as ST;
    const pb = L.dense({ name: 'pb', units: 4 }).apply(a) as ST;
    const y = L.add({ name: 'sum' }).apply([inner.apply(pa) as ST, inner.apply(pb) as ST]) as ST;
    const out = L.dense({ name: 'head', units: 2 }).apply(y) as ST;
    const model = tfl.model({ inputs: a, outputs: out });
    const graph = buildDependencyGraph(model);
    expect(graph.layers.map((l) => l.name)).toEqual(['pa', 'pb', 'in_d', 'in_bn', 'sum', 'head']);
    expect(bound(graph, 'pa', 'kernel', 1)).toEqual(bound(graph, 'pb', 'kernel', 1));
    const { groups } = partitionGroups(model, 'filters');
    const g = groups.find((x) => x.id === 'pa/filters/0')!;
    expect(g.slices.filter((s) => s.regularized).map((s) => `${s.layerName}/${s.weightName}`)).toEqual([
      'pa/kernel',
      'pa/bias',
      'pb/kernel',
      'pb/bias',
    ]);
    expect(groups.find((x) => x.id === 'in_d/filters/1')!.slices.map((s) => s.layerName)).toEqual([
      'in_d',
      'in_d',
      'in_bn',
      'in_bn',
      'in_bn',
      'in_bn',
      'head',
    ]);
  });

  it('a Sequential nested in a Sequential is flattened; options.exclude takes a predicate', () => {
    const inner = tfl.sequential({
      name: 'inner_seq',
      layers: [L.dense({ name: 'n1', inputShape: [3], units: 4, activation: 'relu' })],
    });
    const outer = tfl.sequential({
      layers: [L.dense({ name: 'n0', inputShape: [5], units: 3 }), inner, L.dense({ name: 'n2', units: 2 })],
    });
    const graph = buildDependencyGraph(outer);
    expect(graph.layers.map((l) => l.name)).toEqual(['n0', 'n1', 'n2']);
    expect(bound(graph, 'n1', 'kernel', 0)).toEqual(bound(graph, 'n0', 'kernel', 1));
    expect(bound(graph, 'n2', 'kernel', 0)).toEqual(bound(graph, 'n1', 'kernel', 1));
    const opaque = buildDependencyGraph(outer, { exclude: (l) => l.name === 'n1' });
    expect(opaque.excluded).toEqual(['n1']);
    expect(
      bound(opaque, 'n0', 'kernel', 1).every((id) => opaque.channels[id]!.filterBlock?.kind === 'opaque'),
    ).toBe(true);
  });

  it('a layer called twice couples what its two calls read at the same kernel row', () => {
    const x = tfl.input({ shape: [7, 5] });
    const shared = L.dense({ name: 'td', units: 5, activation: 'relu' });
    const a = shared.apply(x) as ST;
    const model = tfl.model({
      inputs: x,
      outputs: L.dense({ name: 'td_out', units: 2 }).apply(shared.apply(a) as ST) as ST,
    });
    const graph = buildDependencyGraph(model);
    const out = bound(graph, 'td', 'kernel', 1);
    // row r of the kernel reads channel r of x (call 1) and channel r of td's own output (call 2)
    expect(bound(graph, 'td', 'kernel', 0)).toEqual(out);
    expect(out.every((id) => graph.channels[id]!.filterBlock?.kind === 'input')).toBe(true);
    expect(graph.layerByName.get('td')!.inputChannels[0]).toHaveLength(5);
  });

  it('LayerNormalization and softmax over channels block every removal; sigmoid only filters', () => {
    const x = tfl.input({ name: 'x', shape: [6] });
    const d1 = L.dense({ name: 'd1', units: 4 }).apply(x) as ST;
    const ln = L.layerNormalization({ name: 'ln' }).apply(d1) as ST;
    const d2 = L.dense({ name: 'd2', units: 3 }).apply(ln) as ST;
    const sm = L.softmax({ name: 'sm' }).apply(d2) as ST;
    const d3 = L.dense({ name: 'd3', units: 3, activation: 'hardSigmoid' }).apply(sm) as ST;
    const y = L.dense({ name: 'y', units: 2 }).apply(d3) as ST;
    const graph = buildDependencyGraph(tfl.model({ inputs: x, outputs: y }));
    const ch = (layer: string) => bound(graph, layer, 'kernel', 1).map((id) => graph.channels[id]!);
    expect(ch('d1').every((c) => c.filterBlock?.kind === 'mixing' && c.channelBlock?.kind === 'mixing')).toBe(
      true,
    );
    expect(ch('d1')[0]!.filterBlock!.reason).toMatch(/LayerNormalization 'ln' normalizes across channels/);
    expect(
      graph.layerByName.get('ln')!.bindings.every((b) => b.role === 'channelwise' && !b.regularized),
    ).toBe(true);
    expect(ch('d2').every((c) => c.filterBlock?.kind === 'mixing')).toBe(true);
    expect(ch('d3').every((c) => c.filterBlock?.kind === 'nonzero' && c.channelBlock === undefined)).toBe(
      true,
    );
  });

  it('zero tracking is per path: a Multiply gate and a BatchNorm after a sigmoid keep channels removable', () => {
    const model = seBlock();
    const { groups } = partitionGroups(model, 'filters');
    const se = groups.find((g) => g.id === 'se_conv/filters/2')!;
    expect(se.removable).toBe(true);
    // the gate's producing unit is part of the coupled group (x * gate: both sides go together)
    expect(se.slices.filter((s) => s.regularized).map((s) => `${s.layerName}/${s.weightName}`)).toEqual([
      'se_conv/kernel',
      'se_conv/bias',
      'se_fc2/kernel',
      'se_fc2/bias',
    ]);
    expect(
      se.slices.filter((s) => !s.regularized).map((s) => `${s.layerName}/${s.weightName}@${s.axis}`),
    ).toEqual(['se_fc1/kernel@0', 'sg_conv/kernel@2']);
    const sg = groups.find((g) => g.id === 'sg_conv/filters/0')!;
    expect(sg.removable).toBe(true); // sigmoid(0) = 0.5, but BN gamma = beta = 0 zeroes it again
    const fc1 = groups.find((g) => g.id === 'se_fc1/filters/0')!;
    expect(fc1.removable).toBe(true); // relu(0) = 0 feeds se_fc2's kernel rows: exact
    const withoutScale = (() => {
      const x = tfl.input({ shape: [4] });
      const d = L.dense({ name: 'ns_d', units: 3 }).apply(x) as ST;
      const bn = L.batchNormalization({ name: 'ns_bn', scale: false }).apply(d) as ST;
      return tfl.model({ inputs: x, outputs: L.dense({ name: 'ns_out', units: 1 }).apply(bn) as ST });
    })();
    const ns = partitionGroups(withoutScale, { rules: [{ layers: ['ns_d'], type: 'filters' }] }).groups;
    expect(
      ns.every((g) => !g.removable && /scale: false/.test(g.reason!) && /'ns_out' reads it/.test(g.reason!)),
    ).toBe(true);
  });

  it('Reshape: channel-preserving or full flatten accepted, anything else refused', () => {
    const build = (target: number[]) => {
      const x = tfl.input({ shape: [4, 4, 3] });
      const c = L.conv2d({ name: 'rc', filters: 3, kernelSize: 1 }).apply(x) as ST;
      const r = L.reshape({ name: 'rs', targetShape: target }).apply(c) as ST;
      return tfl.model({ inputs: x, outputs: L.dense({ name: 'rd', units: 2 }).apply(r) as ST });
    };
    const keep = buildDependencyGraph(build([16, 3]));
    expect(bound(keep, 'rd', 'kernel', 0)).toEqual(bound(keep, 'rc', 'kernel', 3));
    const flat = buildDependencyGraph(build([48]));
    expect(bound(flat, 'rd', 'kernel', 0)).toEqual(
      Array(16)
        .fill(bound(flat, 'rc', 'kernel', 3))
        .flat(),
    );
    expect(() => buildDependencyGraph(build([8, 6]))).toThrow(
      /layer 'rs' \(Reshape\): reshape \[null, 4, 4, 3\] -> \[null, 8, 6\] is not channel-preserving/,
    );
  });

  it('Concatenate along a non-channel axis couples its inputs; channels-first layers are refused', () => {
    const x = tfl.input({ shape: [4, 3] });
    const a = L.dense({ name: 'ca', units: 2 }).apply(x) as ST;
    const b = L.dense({ name: 'cb', units: 2 }).apply(x) as ST;
    const cat = L.concatenate({ name: 'cat1', axis: 1 }).apply([a, b]) as ST;
    const graph = buildDependencyGraph(
      tfl.model({ inputs: x, outputs: L.dense({ units: 1 }).apply(cat) as ST }),
    );
    expect(bound(graph, 'ca', 'kernel', 1)).toEqual(bound(graph, 'cb', 'kernel', 1));

    const img = tfl.input({ shape: [3, 8, 8] });
    const cf = L.conv2d({ name: 'cf', filters: 2, kernelSize: 3, dataFormat: 'channelsFirst' }).apply(
      img,
    ) as ST;
    expect(() => buildDependencyGraph(tfl.model({ inputs: img, outputs: cf }))).toThrow(
      /layer 'cf' \(Conv2D\): dataFormat 'channelsFirst' is not supported/,
    );
  });

  it('an Add with broadcasting over channels is refused', () => {
    const x = tfl.input({ shape: [4, 4, 3] });
    const a = L.conv2d({ filters: 3, kernelSize: 1 }).apply(x) as ST;
    const b = L.conv2d({ filters: 1, kernelSize: 1 }).apply(x) as ST;
    let built: tfl.LayersModel | undefined;
    try {
      built = tfl.model({ inputs: x, outputs: L.multiply({ name: 'bcast' }).apply([a, b]) as ST });
    } catch {
      return; // tfjs itself refuses the broadcast: nothing to analyse
    }
    expect(() => buildDependencyGraph(built!)).toThrow(/'bcast' \(Multiply\): inputs have 3 and 1 channels/);
  });
});
