import * as tf from '@tensorflow/tfjs-core';
import { countFlops, countParams, partitionGroups } from '@klevel/groups';
import { describeBackends, expectNoLeaks } from '@klevel/test-utils';
import { expect, it } from 'vitest';
import { lenet5, randomizeWeights, zeroGroups } from './__fixtures__/models';
import { formatReport } from './report';
import { prune } from './prune';

describeBackends('pruning report', () => {
  it('counts params and MACs per layer and in total, before and after', async () => {
    const model = lenet5();
    randomizeWeights(model, 6);
    const conv1 = model.layers[0]!.name;
    const conv2 = model.layers[2]!.name;
    const groups = partitionGroups(model, 'filters').groups;
    zeroGroups(model, groups.filter((g) => g.layerName === conv1).slice(0, 3)); // 3 of 6 filters
    const samples = tf.randomNormal([2, 14, 14, 1], 0, 1, 'float32', 3);
    const { model: small, report } = await expectNoLeaks(
      () => prune(model, { check: { tolerance: 1e-5, samples } }),
      model.weights.length, // the caller owns the new model's weights
    );
    samples.dispose();
    const before = countFlops(model);
    const after = countFlops(small);
    expect(report.total).toEqual({
      paramsBefore: countParams(model).total,
      paramsAfter: countParams(small).total,
      macsBefore: before.total,
      macsAfter: after.total,
    });
    const row1 = report.layers.find((l) => l.layerName === conv1)!;
    expect(row1.groupsRemoved).toBe(3);
    expect(row1.paramsAfter).toBe((25 + 1) * 3);
    expect(row1.macsAfter).toBe(row1.macsBefore / 2); // half the filters, same spatial size
    const row2 = report.layers.find((l) => l.layerName === conv2)!;
    expect(row2.macsAfter).toBe(row2.macsBefore / 2); // half the input channels
    expect(report.compressionRatio).toBeCloseTo(report.total.paramsBefore / report.total.paramsAfter, 12);
    expect(report.groupsRemoved).toBe(3);
    expect(report.equivalence?.samples).toBe(4 + 2);
    expect(report.equivalence?.tolerance).toBe(1e-5);

    const text = String(report);
    expect(text).toBe(formatReport(report));
    expect(text).toMatch(/^layer +class +params +MACs +groups removed/);
    expect(text).toMatch(new RegExp(`${conv1} +Conv2D +156 -> 78 +50\\.0%`));
    expect(text).toMatch(/^total .*3$/m);
    expect(text).toMatch(/compression \d+\.\d\dx params, \d+\.\d\dx MACs; 3 groups removed/);
    expect(text).toMatch(/output check: max relative difference .* over 6 samples/);
    small.dispose();
    model.dispose();
  });
});
