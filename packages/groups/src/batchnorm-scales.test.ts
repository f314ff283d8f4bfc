/**
 * `partitionGroups(model, spec, { batchNorm: 'scales' })`: a filter group whose producer feeds only a
 * BatchNormalization is regularized on the BN gamma/beta alone; its kernel slice and bias stay in the group
 * (removed along). Producers without such a BN, and other group types, are unchanged.
 */
import { describeBackends, expectNoLeaks } from '@klevel/test-utils';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import { lenet5, resnetBlocks, vggBlock } from './__fixtures__/models';
import { partitionGroups } from './partition';
import type { Group } from './types';

/** `layer/weight` of every regularized slice of `g`. */
const measured = (g: Group) =>
  g.slices.filter((s) => s.regularized).map((s) => `${s.layerName}/${s.weightName}`);
/** `layer/weight` of every slice of `g`. */
const owned = (g: Group) => g.slices.map((s) => `${s.layerName}/${s.weightName}`);
const byId = (groups: Group[], id: string) => groups.find((g) => g.id === id)!;

describeBackends('partitionGroups batchNorm: scales', () => {
  it('measures a conv -> BN filter by gamma and beta only, and keeps every slice in the group', () => {
    const model = vggBlock();
    const plain = partitionGroups(model, 'filters');
    const scales = partitionGroups(model, 'filters', { batchNorm: 'scales' });
    const v2 = byId(scales.groups, 'v2/filters/3');
    expect(measured(v2)).toEqual(['bn2/gamma', 'bn2/beta']);
    expect(owned(v2)).toEqual(owned(byId(plain.groups, 'v2/filters/3')));
    expect(v2.size).toBe(2);
    expect(v2.weight).toBeCloseTo(Math.SQRT2, 12);
    expect(v2.removable).toBe(true);
    // the head has no BN: unchanged
    expect(scales.groups.filter((g) => g.layerName === 'head')).toEqual(
      plain.groups.filter((g) => g.layerName === 'head'),
    );
    // the prox terms no longer touch the conv kernels
    const termVars = scales.terms.map((t) => t.variableName);
    expect(termVars.some((v) => v.includes('v2/kernel'))).toBe(false);
    expect(termVars.some((v) => v.includes('bn2/gamma'))).toBe(true);
  });

  it('walks through an activation between the conv and the BN', () => {
    const model = tfl.sequential({
      layers: [
        tfl.layers.conv2d({
          name: 'c',
          inputShape: [6, 6, 1],
          filters: 3,
          kernelSize: 3,
          activation: 'relu',
        }),
        tfl.layers.batchNormalization({ name: 'bn' }),
        tfl.layers.flatten({ name: 'f' }),
        tfl.layers.dense({ name: 'out', units: 2 }),
      ],
    });
    const g = byId(partitionGroups(model, 'filters', { batchNorm: 'scales' }).groups, 'c/filters/0');
    expect(measured(g)).toEqual(['bn/gamma', 'bn/beta']);
  });

  it('keeps the producer measured when its output also goes elsewhere than the BN', () => {
    const x = tfl.input({ shape: [6, 6, 1], name: 'x' });
    const conv = tfl.layers
      .conv2d({ name: 'c', filters: 3, kernelSize: 3, padding: 'same' })
      .apply(x) as tfl.SymbolicTensor;
    const bn = tfl.layers.batchNormalization({ name: 'bn' }).apply(conv) as tfl.SymbolicTensor;
    const sum = tfl.layers.add({ name: 'add' }).apply([conv, bn]) as tfl.SymbolicTensor;
    const y = tfl.layers
      .dense({ name: 'out', units: 2 })
      .apply(tfl.layers.flatten().apply(sum)) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: x, outputs: y });
    const plain = partitionGroups(model, 'filters');
    const scales = partitionGroups(model, 'filters', { batchNorm: 'scales' });
    expect(scales.groups).toEqual(plain.groups);
  });

  it('in coupled residual groups, only the BN-followed producers stop being measured', () => {
    const model = resnetBlocks();
    const { groups } = partitionGroups(model, 'filters', { batchNorm: 'scales' });
    // stem and b1 are joined by id_add; both feed only their BN
    expect(measured(byId(groups, 'stem/filters/0'))).toEqual([
      'stem_bn/gamma',
      'stem_bn/beta',
      'b1_bn/gamma',
      'b1_bn/beta',
    ]);
    // b2 (no BN) and sc (-> sc_bn) are joined by proj_add: b2 stays measured, sc is measured at sc_bn
    const proj = measured(byId(groups, 'sc/filters/0'));
    expect(proj).toEqual(['b2/kernel', 'b2/bias', 'sc_bn/gamma', 'sc_bn/beta']);
  });

  it('changes nothing on a model without BatchNorm, and leaks no tensor', async () => {
    const model = lenet5();
    await expectNoLeaks(() => {
      expect(partitionGroups(model, 'filters', { batchNorm: 'scales' })).toEqual(
        partitionGroups(model, 'filters'),
      );
    });
  });

  it('refuses an unknown value, naming the option', () => {
    expect(() => partitionGroups(vggBlock(), 'filters', { batchNorm: 'gamma' as 'scales' })).toThrow(
      /options\.batchNorm must be 'group' .* or 'scales' .*got "gamma"/,
    );
  });
});
