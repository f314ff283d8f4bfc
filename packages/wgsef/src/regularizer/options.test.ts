/**
 * Every option of wgsef() / groupLasso() is checked when the factory is called, with an error that names
 * the option, lists what it accepts and suggests the closest valid name; layers @klevel/groups does not
 * know are handled through the factory's own `exclude`.
 */
import { describeBackends, expectNoLeaks } from '@klevel/test-utils';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { WgsefOptions as PublicWgsefOptions } from '../index';
import { groupLasso } from './group-lasso-regularizer';
import type { GroupRegularizerArgs, KeepSpec, WgsefOptions } from './options';
import { wgsef } from './wgsef-regularizer';

const base = { groups: 'filters', keep: { count: 1 }, lambda: 1e-3 } as const;

describe('wgsef() and groupLasso() check every option when called', () => {
  it.each([
    [
      { groups: 'bogus' },
      /wgsef: option 'groups' must be a group type, one of 'filters', 'channels', .*received 'bogus'/,
    ],
    [{ groups: 'filter' }, /option 'groups'.*received 'filter'\. Did you mean 'filters'\?/],
    [{ groups: 'neuron' }, /Did you mean 'neurons'\?/],
    [{ groups: 42 }, /option 'groups' must be a group type .*received 42/],
    [
      { groups: { rules: [{ layers: { all: true }, type: 'chanels' }] } },
      /wgsef: groups\.rules\[0\]\.type must be a group type.*received 'chanels'\. Did you mean 'channels'\?/,
    ],
    [{ groups: { rules: [{ layers: ['c1'] }] } }, /groups\.rules\[0\] must be \{ layers, type \}/],
    [{ groups: { custom: 'x' } }, /groups\.custom must be a function/],
    [{ keep: { count: 2, fraction: 0.5 } }, /keep must have exactly one of 'count' or 'fraction'/],
    [{ keep: { cnt: 2 } }, /Unknown keys: cnt\. Did you mean 'count'\?/],
    [{ keep: 0.3 }, /bare number .*keep: \{ fraction: 0\.3 \}/],
    [
      { scope: 'globl' },
      /option 'scope' must be one of 'layer', 'global'; received 'globl'\. Did you mean 'global'\?/,
    ],
    [{ minGroupsPerLayer: -1 }, /minGroupsPerLayer must be 'auto' or an integer >= 0/],
    [{ lambda: Number.NaN }, /lambda must be a finite number >= 0/],
    [
      { groupWeights: 'sqrt' },
      /option 'groupWeights' must be one of 'sqrt-size', 'uniform'.*Did you mean 'sqrt-size'\?/,
    ],
    [
      { include: 'conv1' },
      /option 'include' must be an array of layer names, e\.g\. include: \['conv1'\]; received 'conv1'/,
    ],
    [{ include: [] }, /include is an empty list/],
    [{ exclude: [1] }, /option 'exclude' must be an array of layer names/],
    [{ removableOnly: 'yes' }, /option 'removableOnly' must be one of true, false, 'auto'; received 'yes'/],
    [{ batchNorm: 'gamma' }, /option 'batchNorm' must be one of 'group', 'scales'; received 'gamma'/],
    [
      { gradient: 'subgradients' },
      /option 'gradient' must be one of 'prox', 'subgradient'.*Did you mean 'subgradient'\?/,
    ],
    [
      { lamda: 1 },
      /wgsef: unknown option 'lamda'\. Did you mean 'lambda'\? Known options: groups, keep, scope/,
    ],
    [{ keep: undefined }, /wgsef: option 'keep' is required/],
    [{ groups: undefined }, /wgsef: option 'groups' is required/],
  ])('wgsef(%o) throws', (change, message) => {
    expect(() => wgsef({ ...base, ...change } as never)).toThrow(message);
  });

  it('groupLasso names itself and does not require keep', () => {
    expect(() => groupLasso({ groups: 'filtres', lambda: 1 } as never)).toThrow(
      /groupLasso: option 'groups'.*Did you mean 'filters'\?/,
    );
    expect(() => groupLasso({ groups: 'filters', lambda: 1 })).not.toThrow();
  });

  it('accepts every documented form', () => {
    for (const groups of ['filters', 'channels', 'filter-shapes', 'neurons', 'layer', 'weights'] as const) {
      expect(wgsef({ ...base, groups }).options.groups).toBe(groups);
    }
    const reg = wgsef({
      groups: { rules: [{ layers: { className: 'Dense' }, type: 'neurons' }], exclude: ['out'] },
      keep: { fraction: 0.5 },
      scope: 'global',
      minGroupsPerLayer: 0,
      lambda: (step) => 1e-3 * step,
      groupWeights: (g) => g.size,
      include: ['d1'],
      exclude: ['d2'],
      removableOnly: false,
      gradient: 'subgradient',
      batchNorm: 'scales',
    });
    expect(reg.options.scope).toBe('global');
    expect(reg.options.batchNorm).toBe('scales');
    expect(wgsef(base).options.batchNorm).toBe('group');
  });
});

describe('the exported types are what the factories take', () => {
  it('WgsefOptions is the parameter of wgsef(); keep is count or fraction, never both', () => {
    expectTypeOf<Parameters<typeof wgsef>[0]>().toEqualTypeOf<WgsefOptions>();
    expectTypeOf<PublicWgsefOptions>().toEqualTypeOf<WgsefOptions>();
    expectTypeOf<Parameters<typeof groupLasso>[0]>().toEqualTypeOf<GroupRegularizerArgs>();
    const count: KeepSpec = { count: 3 };
    const fraction: KeepSpec = { fraction: 0.5 };
    // @ts-expect-error keep takes a count or a fraction, not both
    const both: KeepSpec = { count: 3, fraction: 0.5 };
    // @ts-expect-error the same inside the options of wgsef()
    const options: WgsefOptions = { groups: 'filters', keep: { count: 3, fraction: 0.5 }, lambda: 1 };
    // @ts-expect-error wgsef() requires keep
    const noKeep: WgsefOptions = { groups: 'filters', lambda: 1 };
    expect([count, fraction, both, options, noKeep]).toHaveLength(5);
  });
});

/** input [4, 3] -> LSTM 'lstm1' (a class @klevel/groups does not know) -> Dense 'hidden' -> Dense 'out'. */
function lstmModel(): tfl.LayersModel {
  return tfl.sequential({
    layers: [
      // (the default orthogonal initializer needs chained ops, not registered in the CJS tfjs-core build)
      tfl.layers.lstm({ inputShape: [4, 3], units: 5, name: 'lstm1', recurrentInitializer: 'glorotUniform' }),
      tfl.layers.dense({ units: 6, activation: 'relu', name: 'hidden' }),
      tfl.layers.dense({ units: 2, name: 'out' }),
    ],
  });
}

describeBackends('layers @klevel/groups does not know', () => {
  it("the error says to use the factory's own exclude, and that exclude works", async () => {
    const model = lstmModel();
    expect(() => wgsef({ groups: 'filters', keep: { count: 2 }, lambda: 1e-3 }).attach(model)).toThrow(
      /wgsef: @klevel\/groups does not know the layer 'lstm1' \(class LSTM\).*Fix: leave it out with wgsef\(\{ \.\.\., exclude: \['lstm1'\] \}\)/,
    );
    expect(() => groupLasso({ groups: 'filters', lambda: 1e-3 }).attach(model)).toThrow(
      /groupLasso\(\{ \.\.\., exclude: \['lstm1'\] \}\)/,
    );
    const reg = wgsef({ groups: 'filters', keep: { count: 2 }, lambda: 1e-3, exclude: ['lstm1'] }).attach(
      model,
    );
    expect(reg.binding.layout.groups.length).toBeGreaterThan(0);
    expect(reg.binding.layout.groups.every((g) => g.layerName !== 'lstm1')).toBe(true);
    await expectNoLeaks(() => {
      reg.prox(0.1);
      reg.finalize();
    });
    const spec = { rules: [{ layers: { all: true as const }, type: 'filters' as const }], exclude: ['out'] };
    const both = groupLasso({ groups: spec, lambda: 1e-3, exclude: ['lstm1'] }).attach(lstmModel());
    expect(both.binding.layout.groups.every((g) => g.layerName === 'hidden')).toBe(true);
    model.dispose();
  });
});
