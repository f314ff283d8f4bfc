import { describeBackends, expectNoLeaks } from '@klevel/test-utils';
import { expect, it } from 'vitest';
import { scaledConvModel } from './__fixtures__/custom-layer';
import { passThroughHandler } from './builtin-handlers';
import { countFlops } from './flops';
import { buildDependencyGraph } from './graph';
import { partitionGroups } from './partition';
import { getLayerHandler, registerLayerHandler, unregisterLayerHandler } from './registry';

describeBackends('unknown layers and registerLayerHandler', () => {
  it('an unknown class is an error naming the class, the layer and both ways out', () => {
    const model = scaledConvModel();
    const message =
      /layer 'scale1' has class 'ChannelScale', which @klevel\/groups does not know\. Either exclude it: .*exclude: \['scale1'\].* or describe it with registerLayerHandler\('ChannelScale'/;
    expect(() => buildDependencyGraph(model)).toThrow(message);
    expect(() => partitionGroups(model, 'filters')).toThrow(message);
    expect(() => countFlops(model)).toThrow(/countFlops: layer 'scale1' has class 'ChannelScale'/);
  });

  it('excluding it makes its channels opaque (compression-only) and keeps the rest removable', () => {
    const model = scaledConvModel();
    const { groups } = partitionGroups(model, {
      rules: [{ layers: { all: true }, type: 'filters' }],
      exclude: ['scale1'],
    });
    const k1 = groups.filter((g) => g.layerName === 'k1');
    expect(k1).toHaveLength(4);
    expect(k1.every((g) => !g.removable && /excluded layer 'scale1'/.test(g.reason!))).toBe(true);
    expect(groups.filter((g) => g.layerName === 'k2').every((g) => g.removable)).toBe(true);
    const graph = buildDependencyGraph(model, { exclude: ['scale1'] });
    expect(graph.excluded).toEqual(['scale1']);
    expect(graph.layerByName.get('scale1')!.groupTypes).toEqual([]);
    expect(countFlops(model, { exclude: ['scale1'] }).perLayer.scale1).toBe(0);
  });

  it('a registered handler makes the layer a first-class member of the filter groups', async () => {
    const model = scaledConvModel();
    registerLayerHandler('ChannelScale', {
      mapChannels(ctx) {
        const x = ctx.inputs[0]!;
        ctx.bindChannelwise('scale', 0, x, true);
        return [x];
      },
    });
    try {
      const { groups } = await expectNoLeaks(() => partitionGroups(model, 'filters'));
      const g = groups.find((x) => x.id === 'k1/filters/2')!;
      expect(g.removable).toBe(true);
      expect(
        g.slices.map(
          (s) => `${s.layerName}/${s.weightName}@${s.axis}[${s.indices}]${s.regularized ? 'R' : ''}`,
        ),
      ).toEqual(['k1/kernel@3[2]R', 'k1/bias@0[2]R', 'scale1/scale@0[2]R', 'k2/kernel@2[2]']);
      expect(g.size).toBe(18 + 1 + 1);
      expect(countFlops(model).perLayer.scale1).toBe(0);
    } finally {
      expect(unregisterLayerHandler('ChannelScale')).toBe(true);
    }
    expect(getLayerHandler('ChannelScale')).toBeUndefined();
  });

  it('a handler can mark f(0) != 0 (the returned map carries the mark to the readers)', () => {
    const model = scaledConvModel();
    registerLayerHandler('ChannelScale', {
      mapChannels(ctx) {
        const x = ctx.inputs[0]!;
        ctx.bindChannelwise('scale', 0, x, false);
        const y = ctx.markNonZero(x, 'ChannelScale adds 1');
        expect(ctx.isNonZero(y, 0)).toBe(true);
        expect(ctx.isNonZero(x, 0)).toBe(false);
        return [y];
      },
    });
    try {
      const { groups } = partitionGroups(model, 'filters');
      const k1 = groups.filter((g) => g.layerName === 'k1');
      expect(
        k1.every((g) => !g.removable && g.reason!.endsWith("ChannelScale adds 1, and layer 'k2' reads it")),
      ).toBe(true);
      const k2 = groups.filter((g) => g.layerName === 'k2');
      expect(k2.every((g) => g.removable)).toBe(true);
      const channels = partitionGroups(model, { rules: [{ layers: ['k2'], type: 'channels' }] }).groups;
      expect(channels.every((g) => g.removable)).toBe(true);
    } finally {
      unregisterLayerHandler('ChannelScale');
    }
  });

  it('passThroughHandler forwards channels unchanged', () => {
    const model = scaledConvModel();
    registerLayerHandler('ChannelScale', passThroughHandler);
    try {
      const graph = buildDependencyGraph(model);
      const k1 = graph.layerByName.get('k1')!.bindings.find((b) => b.axis === 3)!.channels;
      const k2 = graph.layerByName.get('k2')!.bindings.find((b) => b.axis === 2)!.channels;
      expect([...k2]).toEqual([...k1]);
      expect(graph.layerByName.get('scale1')!.bindings).toEqual([]);
    } finally {
      unregisterLayerHandler('ChannelScale');
    }
  });

  it('handler mistakes are reported with the layer name', () => {
    const model = scaledConvModel();
    registerLayerHandler('ChannelScale', {
      mapChannels(ctx) {
        ctx.bindChannelwise('scale', 0, new Int32Array(3), true);
        return [ctx.inputs[0]!];
      },
    });
    try {
      expect(() => buildDependencyGraph(model)).toThrow(
        /layer 'scale1' \(ChannelScale\): bind 'scale' axis 0: weight shape \[4\] does not match a channel map of length 3/,
      );
      registerLayerHandler('ChannelScale', { mapChannels: () => [new Int32Array(2)] });
      expect(() => buildDependencyGraph(model)).toThrow(
        /returned a channel map of length 2 for output 0 with 4 channels/,
      );
    } finally {
      unregisterLayerHandler('ChannelScale');
    }
  });

  it('rejects malformed registrations', () => {
    expect(() => registerLayerHandler('', { mapChannels: () => [] })).toThrow(TypeError);
    expect(() => registerLayerHandler('X', {} as never)).toThrow(
      /handler must be an object with a mapChannels\(ctx\) function/,
    );
  });
});
