import { describeBackends, expectNoLeaks } from '@klevel/test-utils';
import { expect, it } from 'vitest';
import { lenet5, mobilenetBlock, randomizeWeights } from './__fixtures__/models';
import { zeroGroups } from './__fixtures__/reference-remover';
import { partitionGroups } from './partition';
import { groupIsZero, groupNorm, groupNorms, sliceValues } from './zero';

describeBackends('groupIsZero / groupNorm / sliceValues', () => {
  it('reads exactly the regularized parameters of a group', async () => {
    const model = lenet5();
    randomizeWeights(model, 3);
    const { groups } = partitionGroups(model, 'filters');
    const g = groups.find((x) => x.id === 'c1/filters/4')!;
    const kernel = model.getLayer('c1').getWeights()[0]!.arraySync() as number[][][][];
    const bias = model.getLayer('c1').getWeights()[1]!.arraySync() as number[];
    let sq = bias[4]! ** 2;
    for (const row of kernel) for (const col of row) sq += col[0]![4]! ** 2;
    const norm = await expectNoLeaks(() => groupNorm(g, model.weights));
    expect(norm).toBeCloseTo(Math.sqrt(sq), 5);
    expect(groupIsZero(g, model.weights)).toBe(false);
    zeroGroups(model, [g]);
    expect(await expectNoLeaks(() => groupIsZero(g, model.weights))).toBe(true);
    // the consumer slice (c2 kernel rows) is not regularized and stays nonzero
    expect(Math.max(...sliceValues(g.slices[2]!, model.weights).map(Math.abs))).toBeGreaterThan(0);
    expect(groupIsZero(groups.find((x) => x.id === 'c1/filters/3')!, model.weights)).toBe(false);
    expect(groupIsZero(g, model.weights, 0.5)).toBe(true);
    expect(() => groupIsZero(g, model.weights, -1)).toThrow(RangeError);
  });

  it('accepts maps and records, and multi-axis slices read row-major positions', () => {
    const model = lenet5();
    randomizeWeights(model, 4);
    const { groups } = partitionGroups(model, { rules: [{ layers: ['c1'], type: 'filter-shapes' }] });
    const g = groups[7]!; // kernel[1, 2, 0, :]
    const kernel = model.getLayer('c1').getWeights()[0]!;
    const expected = (kernel.arraySync() as number[][][][])[1]![2]![0]!;
    const map = new Map(model.weights.map((w) => [w.name, w.read()]));
    expect([...sliceValues(g.slices[0]!, map)]).toEqual(expected.map((v) => Math.fround(v)));
    const record = Object.fromEntries(map);
    expect(groupNorm(g, record)).toBeCloseTo(Math.hypot(...expected), 5);
    expect(() => groupNorm(g, new Map())).toThrow(/no weight value for variable/);
  });

  it('groupNorms computes every norm from the terms, equal to groupNorm per group', async () => {
    const model = mobilenetBlock();
    randomizeWeights(model, 5);
    for (const spec of ['filters', 'channels', 'weights'] as const) {
      const partition = partitionGroups(model, spec);
      const norms = await expectNoLeaks(() => groupNorms(partition, model.weights));
      expect(norms).toHaveLength(partition.groups.length);
      const step = Math.max(1, Math.floor(partition.groups.length / 40));
      for (let j = 0; j < partition.groups.length; j += step) {
        expect(norms[j]).toBeCloseTo(groupNorm(partition.groups[j]!, model.weights), 5);
      }
    }
    const fs = partitionGroups(model, { rules: [{ layers: ['m_conv'], type: 'filter-shapes' }] });
    const n = groupNorms(fs, model.weights);
    fs.groups.forEach((g, j) => {
      expect(n[j]).toBeCloseTo(groupNorm(g, model.weights), 5);
    });
  });
});
