import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { type Group, partitionGroups } from '@klevel/groups';
import { describeBackends, expectNoLeaks } from '@klevel/test-utils';
import { expect, it } from 'vitest';
import { lenet5, randomizeWeights, vggBn, zeroGroups } from './__fixtures__/models';
import { applyPlan } from './apply';
import { compareModels } from './equivalence';
import { planPruning } from './plan';
import type { PruningPlan } from './plan-types';
import { prune } from './prune';

const L = tfl.layers;

/** A conv with 16 filters between two small layers, random weights. */
function wideConv(): tfl.LayersModel {
  const m = tfl.sequential({
    layers: [
      L.conv2d({ inputShape: [6, 6, 2], filters: 16, kernelSize: 3, activation: 'relu', name: 'wide' }),
      L.conv2d({ filters: 4, kernelSize: 3, name: 'next' }),
      L.flatten(),
      L.dense({ units: 3, name: 'head' }),
    ],
  });
  randomizeWeights(m, 4);
  return m;
}

function groupsOf(model: tfl.LayersModel, layer: string): Group[] {
  return partitionGroups(model, 'filters').groups.filter((g) => g.layerName === layer);
}

function keptOf(plan: PruningPlan, layer: string, weight: string, axis: number): number[] | undefined {
  return plan.layers
    .find((l) => l.layerName === layer)
    ?.weights.find((w) => w.weightName === weight)
    ?.axes.find((a) => a.axis === axis)?.kept;
}

describeBackends('planPruning', () => {
  it('removes exactly the zero removable groups and lists every coupled weight', async () => {
    const model = wideConv();
    const g = groupsOf(model, 'wide');
    zeroGroups(model, [g[1]!, g[5]!]);
    const plan = await expectNoLeaks(() => planPruning(model));
    expect(plan.groups.removed.map((x) => [x.id, x.reason])).toEqual([
      [g[1]!.id, 'zero'],
      [g[5]!.id, 'zero'],
    ]);
    const kept = [0, 2, 3, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];
    expect(keptOf(plan, 'wide', 'kernel', 3)).toEqual(kept);
    expect(keptOf(plan, 'wide', 'bias', 0)).toEqual(kept);
    expect(keptOf(plan, 'next', 'kernel', 2)).toEqual(kept);
    expect(plan.layers.map((l) => l.layerName)).toEqual(['wide', 'next']);
    model.dispose();
  });

  it('reports zero groups that are not removable (model outputs) and keeps them', () => {
    const model = wideConv();
    zeroGroups(model, groupsOf(model, 'head').slice(0, 1));
    const plan = planPruning(model);
    expect(plan.layers).toEqual([]);
    expect(plan.groups.kept).toHaveLength(1);
    expect(plan.groups.kept[0]).toMatchObject({ layerName: 'head', reason: 'not-removable' });
    expect(plan.groups.kept[0]?.detail).toMatch(/output/);
    model.dispose();
  });

  it('tolerance decides what counts as zero', () => {
    const model = wideConv();
    const g = groupsOf(model, 'wide')[2]!;
    zeroGroups(model, [g]);
    const w = model.getLayer('wide').getWeights();
    // put tiny values back into the zeroed filter
    const k = w[0]!.arraySync() as number[][][][];
    k[0]![0]![0]![2] = 1e-7;
    const bias = w[1]!.arraySync() as number[];
    const values = [tf.tensor(k), tf.tensor(bias)];
    model.getLayer('wide').setWeights(values);
    tf.dispose(values);
    expect(planPruning(model).groups.removed).toEqual([]);
    expect(planPruning(model, { tolerance: 1e-6 }).groups.removed.map((x) => x.id)).toEqual([g.id]);
    expect(() => planPruning(model, { tolerance: -1 })).toThrow(/'tolerance' must be a finite number >= 0/);
    model.dispose();
  });

  it('select removes listed groups, and refuses unknown or non-removable ones', async () => {
    const model = wideConv();
    const g = groupsOf(model, 'wide');
    const plan = planPruning(model, { select: [g[0]!.id, g[3]!.id] });
    expect(plan.groups.removed.map((x) => [x.id, x.reason])).toEqual([
      [g[0]!.id, 'selected'],
      [g[3]!.id, 'selected'],
    ]);
    expect(() => planPruning(model, { select: ['nope/filters/0'] })).toThrow(
      /'select' names group 'nope\/filters\/0'/,
    );
    const head = groupsOf(model, 'head')[0]!;
    expect(() => planPruning(model, { select: [head.id] })).toThrow(/is not removable/);
    expect(() => planPruning(model, { select: [], keep: 2 })).toThrow(/at most one of 'select' and 'keep'/);
    // Removing non-zero groups changes the outputs: prune refuses with the measured difference ...
    await expectNoLeaks(async () => {
      await expect(prune(model, { plan })).rejects.toThrow(
        /outputs differ from the original's by [0-9.e+-]+ \(relative/,
      );
    });
    // ... unless the check is switched off (lossy pruning, to be fine-tuned).
    const { model: lossy, report } = await prune(model, { plan, check: false });
    expect(report.equivalence).toBeUndefined();
    expect(lossy.getLayer('wide').getWeights()[0]?.shape).toEqual([3, 3, 2, 14]);
    lossy.dispose();
    model.dispose();
  });

  it('keep: k keeps the k groups with the largest weighted norms per layer', () => {
    const model = wideConv();
    const stats = groupsOf(model, 'wide').map((g, i) => {
      const k = model.getLayer('wide').getWeights()[0]!.arraySync() as number[][][][];
      const b = model.getLayer('wide').getWeights()[1]!.arraySync() as number[];
      let s = b[i]! ** 2;
      for (const a of k) for (const c of a) for (const d of c) s += d[i]! ** 2;
      return { i, norm: Math.sqrt(s), id: g.id };
    });
    const top = [...stats].sort((a, b) => b.norm - a.norm).slice(0, 5);
    const plan = planPruning(model, { keep: { wide: 5 } });
    expect(keptOf(plan, 'wide', 'kernel', 3)).toEqual(top.map((t) => t.i).sort((a, b) => a - b));
    expect(plan.groups.removed.every((x) => x.reason === 'below-top-k')).toBe(true);
    expect(() => planPruning(model, { keep: 0 })).toThrow(/'keep' values must be integers >= 1/);
    // A custom importance: keep the 5 filters with the LOWEST index.
    const byIndex = planPruning(model, { keep: { wide: 5 }, importance: (s) => -s.group.index });
    expect(keptOf(byIndex, 'wide', 'kernel', 3)).toEqual([0, 1, 2, 3, 4]);
    model.dispose();
  });

  it('roundTo keeps channel counts at multiples of N by keeping the largest zero groups', async () => {
    const model = wideConv();
    const g = groupsOf(model, 'wide');
    zeroGroups(model, g.slice(0, 10)); // 6 non-zero filters remain
    const plan = planPruning(model, { roundTo: 4 });
    expect(keptOf(plan, 'wide', 'kernel', 3)).toHaveLength(8);
    expect(plan.groups.removed).toHaveLength(8);
    expect(plan.groups.kept.filter((x) => x.reason === 'round-to')).toHaveLength(2);
    const few = planPruning(model, { roundTo: 16 });
    expect(few.layers).toEqual([]);
    expect(() => planPruning(model, { roundTo: 0 })).toThrow(/'roundTo' must be an integer >= 1/);
    const { model: small } = await prune(model, { roundTo: 4, check: { tolerance: 1e-5 } });
    expect(small.getLayer('wide').getWeights()[0]?.shape).toEqual([3, 3, 2, 8]);
    small.dispose();
    model.dispose();
  });

  it('exclude keeps layers unchanged, including the producers they read', () => {
    const model = wideConv();
    const g = groupsOf(model, 'wide');
    zeroGroups(model, [g[0]!, ...groupsOf(model, 'next').slice(0, 2)]);
    expect(planPruning(model).groups.removed).toHaveLength(3);
    const plan = planPruning(model, { exclude: ['next'] });
    expect(plan.groups.removed).toEqual([]);
    expect(plan.groups.kept.map((x) => x.reason)).toEqual(['excluded']);
    expect(() => planPruning(model, { exclude: ['nxet'] })).toThrow(
      /'exclude' names 'nxet', which model .* does not have/,
    );
    expect(() => planPruning(model, { keep: { wdie: 2 } })).toThrow(/'keep' names 'wdie'/);
    const plan2 = planPruning(model, { exclude: ['head'] });
    expect(plan2.groups.removed.map((x) => x.id)).toEqual([g[0]!.id]);
    model.dispose();
  });

  it('keeps one channel when a whole layer is zero (documented last-channel rule)', async () => {
    const model = wideConv();
    zeroGroups(model, groupsOf(model, 'wide'));
    const plan = planPruning(model);
    expect(plan.groups.removed).toHaveLength(15);
    expect(plan.groups.kept.map((x) => x.reason).sort()).toEqual([
      'last-channel',
      'not-removable',
      'not-removable',
    ]);
    // The model's two input channels now have zero weights in 'wide', their only consumer: zero structures
    // that cannot be removed (model input), so they are listed with the reason.
    const inputs = plan.groups.kept.filter((x) => x.reason === 'not-removable');
    expect(inputs.map((x) => x.id)).toEqual(['wide/channels/0', 'wide/channels/1']);
    expect(inputs[0]?.detail).toMatch(
      /input channel 0 of 'wide' is compression-only: it is part of model input/,
    );
    const { model: small } = await prune(model, { plan, check: { tolerance: 1e-5 } });
    expect(small.getLayer('wide').getWeights()[0]?.shape).toEqual([3, 3, 2, 1]);
    small.dispose();
    model.dispose();
  });

  it('a plan survives JSON and can be edited before applying', async () => {
    const model = vggBn();
    randomizeWeights(model, 9);
    const conv = model.layers[0]!.name;
    zeroGroups(model, groupsOf(model, conv).slice(0, 3));
    const plan = JSON.parse(JSON.stringify(planPruning(model))) as PruningPlan;
    expect(plan.groups.removed).toHaveLength(3);
    const small = await applyPlan(model, plan);
    expect(compareModels(small, model).maxRelativeDifference).toBeLessThanOrEqual(1e-5);
    small.dispose();
    // Review: put filter 0 back by editing every kept list of the plan.
    for (const l of plan.layers) for (const w of l.weights) for (const a of w.axes) a.kept = [0, ...a.kept];
    const edited = await applyPlan(model, plan);
    expect(edited.layers[0]!.getWeights()[0]?.shape).toEqual([3, 3, 3, 6]);
    expect(compareModels(edited, model).maxRelativeDifference).toBeLessThanOrEqual(1e-5);
    edited.dispose();
    model.dispose();
  });

  it('uses a caller-supplied partition or spec', () => {
    const model = lenet5();
    randomizeWeights(model, 1);
    const partition = partitionGroups(model, 'filters');
    zeroGroups(model, [partition.groups[0]!]);
    expect(planPruning(model, { groups: partition }).groups.removed).toHaveLength(1);
    const onlyDense = planPruning(model, {
      groups: { rules: [{ layers: { className: 'Dense' }, type: 'neurons' }] },
    });
    expect(onlyDense.groups.removed).toEqual([]);
    model.dispose();
  });
});
