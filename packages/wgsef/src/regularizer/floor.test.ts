/**
 * Global scope: the default floor is a share of each layer (not 1 group), and a layer left at its floor is
 * reported in `reg.stats().warnings`.
 */
import { describeBackends } from '@klevel/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import { seedWeights } from './__fixtures__/models';
import { groupLasso } from './group-lasso-regularizer';
import { wgsef } from './wgsef-regularizer';

/** Dense 8 -> d1(16) -> d2(16) -> out(3), d2 scaled down so that a global budget starves it. */
function starvedModel(): tfl.LayersModel {
  const model = tfl.sequential({
    layers: [
      tfl.layers.dense({ inputShape: [8], units: 16, activation: 'relu', name: 'd1' }),
      tfl.layers.dense({ units: 16, activation: 'relu', name: 'd2' }),
      tfl.layers.dense({ units: 3, name: 'out' }),
    ],
  });
  seedWeights(model, 3);
  for (const w of model.getLayer('d2').trainableWeights) {
    const small = tf.mul(w.read(), 1e-3);
    w.write(small);
    small.dispose();
  }
  return model;
}

describeBackends('global scope floor', () => {
  it("the default minGroupsPerLayer ('auto') keeps half of each layer's share of the budget", () => {
    const model = starvedModel();
    const reg = wgsef({ groups: 'filters', keep: { fraction: 0.25 }, scope: 'global', lambda: 1 }).attach(
      model,
    );
    expect(reg.options.minGroupsPerLayer).toBe('auto');
    // share of each 16-group layer: 0.25 * 16 = 4 groups; the floor is half of it
    expect([...reg.binding.floors]).toEqual([2, 2]);
    expect(reg.budget?.total).toBe(8);
    // scope 'layer' and a group lasso without keep: the floor is 1
    const perLayer = wgsef({ groups: 'filters', keep: { fraction: 0.25 }, lambda: 1 }).attach(model);
    expect([...perLayer.binding.floors]).toEqual([1, 1]);
    expect([...groupLasso({ groups: 'filters', lambda: 1 }).attach(model).binding.floors]).toEqual([1, 1]);
    // an explicit number wins
    const one = wgsef({
      groups: 'filters',
      keep: { fraction: 0.25 },
      scope: 'global',
      minGroupsPerLayer: 1,
      lambda: 1,
    });
    expect([...one.attach(model).binding.floors]).toEqual([1, 1]);
  });

  it('a layer at its floor is listed in stats().atFloor with a warning', () => {
    const model = starvedModel();
    const reg = wgsef({ groups: 'filters', keep: { fraction: 0.25 }, scope: 'global', lambda: 1 }).attach(
      model,
    );
    expect(reg.stats().warnings).toEqual([]);
    const res = reg.prox(1);
    expect(res.stats.layers.d2?.nonzero).toBe(2);
    expect(res.stats.atFloor).toEqual(['d2']);
    const stats = reg.stats();
    expect(stats.atFloor).toEqual(['d2']);
    expect(stats.warnings).toHaveLength(1);
    expect(stats.warnings[0]).toMatch(
      /layer 'd2' is at its floor: it keeps 2 of 16 groups \(minGroupsPerLayer 2\) under the global budget of 8/,
    );
    // scope 'layer' has no floor to sit at
    const perLayer = wgsef({ groups: 'filters', keep: { count: 2 }, lambda: 1 }).attach(starvedModel());
    perLayer.prox(1);
    expect(perLayer.stats().warnings).toEqual([]);
  });
});
