/** Unknown layers (an LSTM, a custom layer): each API's error names the exclude that API takes, and it works. */
import * as tfl from '@tensorflow/tfjs-layers';
import { describeBackends } from '@klevel/test-utils';
import { expect, it } from 'vitest';
import { scaledConvModel } from './__fixtures__/custom-layer';
import { countFlops } from './flops';
import { buildDependencyGraph } from './graph';
import { partitionGroups } from './partition';
import { adviseUnknownLayer, isUnknownLayerError, UnknownLayerError } from './unknown-layer';

function lstmModel(): tfl.LayersModel {
  return tfl.sequential({
    layers: [
      tfl.layers.dense({ inputShape: [6, 3], units: 4, activation: 'relu', name: 'embed' }),
      tfl.layers.lstm({ units: 5, name: 'lstm1', recurrentInitializer: 'glorotUniform' }),
      tfl.layers.dense({ units: 2, name: 'head' }),
    ],
  });
}

const thrown = (fn: () => unknown): Error => {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a throw');
};

describeBackends('unknown layers: advice per API', () => {
  for (const [name, build, layer, className] of [
    ['an LSTM', lstmModel, 'lstm1', 'LSTM'],
    ['a custom layer', scaledConvModel, 'scale1', 'ChannelScale'],
  ] as const) {
    it(`${name}: buildDependencyGraph, partitionGroups and countFlops each advise their own exclude, which works`, () => {
      const model = build();
      const graphError = thrown(() => buildDependencyGraph(model));
      expect(isUnknownLayerError(graphError)).toBe(true);
      expect(graphError).toMatchObject({ name: 'UnknownLayerError', layerName: layer, className });
      expect(graphError.message).toBe(
        `buildDependencyGraph: layer '${layer}' has class '${className}', which @klevel/groups does not know. ` +
          `Either exclude it: buildDependencyGraph(model, { exclude: ['${layer}'] }) (its channels then become ` +
          `non-removable); or describe it with registerLayerHandler('${className}', { mapChannels(ctx) { ... } }) ` +
          'from @klevel/groups.',
      );
      expect(buildDependencyGraph(model, { exclude: [layer] }).excluded).toEqual([layer]);

      const partitionError = thrown(() => partitionGroups(model, 'filters'));
      expect(partitionError.message).toMatch(
        new RegExp(
          `^partitionGroups: layer '${layer}' has class '${className}'.*Either exclude it: ` +
            `partitionGroups\\(model, \\{ rules: \\[\\.\\.\\.\\], exclude: \\['${layer}'\\] \\}\\)`,
        ),
      );
      const { groups } = partitionGroups(model, {
        rules: [{ layers: { all: true }, type: 'filters' }],
        exclude: [layer],
      });
      expect(groups.length).toBeGreaterThan(0);

      const flopsError = thrown(() => countFlops(model));
      expect(flopsError.message).toMatch(
        new RegExp(
          `^countFlops: layer '${layer}' has class '${className}'.*Either exclude it: ` +
            `countFlops\\(model, \\{ exclude: \\['${layer}'\\] \\}\\) \\(it is then counted as 0 MACs\\)`,
        ),
      );
      const flops = countFlops(model, { exclude: [layer] });
      expect(flops.perLayer[layer]).toBe(0);
      expect(flops.countedAsZero).toEqual([{ layerName: layer, className }]);
      expect(flops.total).toBeGreaterThan(0);
      model.dispose();
    });
  }

  it('countFlops lists every excluded layer (known or not) as counted as 0, and nothing when nothing is excluded', () => {
    const model = lstmModel();
    expect(countFlops(model, { exclude: ['head', 'lstm1'] }).countedAsZero).toEqual([
      { layerName: 'lstm1', className: 'LSTM' },
      { layerName: 'head', className: 'Dense' },
    ]);
    const plain = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [3], units: 2 })] });
    expect(countFlops(plain).countedAsZero).toEqual([]);
    model.dispose();
    plain.dispose();
  });

  it('adviseUnknownLayer re-words the error for the API the user called and passes other errors through', () => {
    const e = new UnknownLayerError('partitionGroups', 'LSTM', 'lstm1');
    const worded = adviseUnknownLayer(
      e,
      'prune',
      (n) => `prune(model, { exclude: ['${n}'] }) (it is kept unchanged)`,
    );
    expect(String(worded)).toMatch(
      /^UnknownLayerError: prune: layer 'lstm1' has class 'LSTM'.*exclude it: prune\(model, \{ exclude: \['lstm1'\] \}\) \(it is kept unchanged\); or describe it/,
    );
    const other = new RangeError('something else');
    expect(adviseUnknownLayer(other, 'prune', String)).toBe(other);
  });
});
