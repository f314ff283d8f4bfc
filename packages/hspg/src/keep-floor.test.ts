import {
  denseModel,
  describeBackends,
  elementGroupIds,
  handGradients,
  handNorms,
  readWeights,
  seededBatch,
  seededRandom,
} from '@klevel/test-utils';
import { groupLasso, wgsef } from '@klevel/wgsef';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { halfSpaceDecision, hspg, type KeepFloor, keepFloorOf, limitProjections } from './index';

/** Brute force: among the feasible projection sets of maximum size, the one with the least margin sum. */
function bruteForce(nonzero: number[], candidates: number[], margins: number[], floor: KeepFloor): number[] {
  let best: number[] = [];
  let bestSum = Number.POSITIVE_INFINITY;
  for (let mask = 0; mask < 1 << candidates.length; mask++) {
    const set = candidates.filter((_, i) => mask & (1 << i));
    const left: number[] = nonzero.map((nz, j) => (nz && !set.includes(j) ? 1 : 0));
    const inLayer = Array.from(floor.minPerLayer, (_, l) =>
      left.reduce((s, v, j) => s + (floor.layerOf[j] === l ? v : 0), 0),
    );
    const before = Array.from(floor.minPerLayer, (_, l) =>
      nonzero.reduce((s, v, j) => s + (floor.layerOf[j] === l ? v : 0), 0),
    );
    const total = left.reduce((s, v) => s + v, 0);
    const okLayers = inLayer.every(
      (n, l) => n >= Math.min(floor.minPerLayer[l] as number, before[l] as number),
    );
    const okTotal =
      total >=
      Math.min(
        floor.minTotal,
        nonzero.reduce((s, v) => s + v, 0),
      );
    if (!okLayers || !okTotal) continue;
    const sum = set.reduce((s, j) => s + (margins[j] as number), 0);
    if (set.length > best.length || (set.length === best.length && sum < bestSum)) {
      best = set;
      bestSum = sum;
    }
  }
  return best;
}

describe('limitProjections', () => {
  it('scope layer: each layer keeps exactly k_l, the most negative margins are projected', () => {
    // layer 0: groups 0-3 (k = 2), layer 1: groups 4-6 (k = 1), group 6 already zero
    const floor = { layerOf: [0, 0, 0, 0, 1, 1, 1], minPerLayer: [2, 1], minTotal: 0 };
    const nonzero = [1, 1, 1, 1, 1, 1, 0];
    const margins = [-0.5, 0.01, -2, -0.1, -3, -0.2, 0];
    expect(limitProjections(nonzero, [0, 1, 2, 3, 4, 5], margins, floor)).toEqual([0, 2, 4]);
    // fewer candidates than the budget allows: all of them go
    expect(limitProjections(nonzero, [3], margins, floor)).toEqual([3]);
  });

  it('scope global: the total k and the per-layer floor both hold', () => {
    // two layers of 3; keep 3 in total, at least 1 per layer; layer 0 has the three most negative margins
    const floor = { layerOf: [0, 0, 0, 1, 1, 1], minPerLayer: [1, 1], minTotal: 3 };
    const nonzero = [1, 1, 1, 1, 1, 1];
    const margins = [-5, -4, -3, -1, -2, 0.5];
    // greedy: 0, 1 (layer 0 is then at its floor), skip 2, then 4; 3 groups left: 2, 3, 5
    expect(limitProjections(nonzero, [0, 1, 2, 3, 4, 5], margins, floor)).toEqual([0, 1, 4]);
  });

  it('no budget: minGroupsPerLayer 1 never empties a layer, 0 lets every candidate go', () => {
    const nonzero = [1, 1, 1];
    const margins = [-1, -2, -3];
    expect(
      limitProjections(nonzero, [0, 1, 2], margins, { layerOf: [0, 0, 0], minPerLayer: [1], minTotal: 0 }),
    ).toEqual([1, 2]);
    expect(
      limitProjections(nonzero, [0, 1, 2], margins, { layerOf: [0, 0, 0], minPerLayer: [0], minTotal: 0 }),
    ).toEqual([0, 1, 2]);
  });

  it('a layer already at or below its floor loses nothing', () => {
    const floor = { layerOf: [0, 0, 0, 1, 1], minPerLayer: [2, 1], minTotal: 0 };
    const nonzero = [1, 0, 0, 1, 1];
    expect(limitProjections(nonzero, [0, 3], [-1, 0, 0, -1, 0], floor)).toEqual([3]);
  });

  it('matches a brute-force search (max projections, then least margin sum) on 300 random cases', () => {
    const rnd = seededRandom(11);
    for (let c = 0; c < 300; c++) {
      const layers = 1 + Math.floor(rnd() * 3);
      const m = 2 + Math.floor(rnd() * 8);
      const layerOf = Array.from({ length: m }, (_, j) => (j < layers ? j : Math.floor(rnd() * layers)));
      const nonzero = Array.from({ length: m }, () => (rnd() < 0.85 ? 1 : 0));
      const margins = Array.from({ length: m }, () => rnd() * 4 - 3);
      const candidates = Array.from(nonzero.keys()).filter((j) => nonzero[j] && (margins[j] as number) < 0);
      const global = rnd() < 0.5;
      const minPerLayer = Array.from({ length: layers }, () => Math.floor(rnd() * 3));
      const floor = { layerOf, minPerLayer, minTotal: global ? Math.floor(rnd() * m) : 0 };
      const got = limitProjections(nonzero, candidates, margins, floor);
      expect(got).toEqual(bruteForce(nonzero, candidates, margins, floor).sort((a, b) => a - b));
    }
  });
});

describe('halfSpaceDecision with a floor', () => {
  it('reports held groups and keeps the least negative margins', () => {
    // margins = 1 - lr * (g_j / s_j + f_j) with lr = 1, s = 1: [0.5, -1, -0.2, 0.9]
    const dec = halfSpaceDecision({
      sqNorms: [1, 1, 1, 1],
      gradDots: [0.5, 2, 1.2, 0.1],
      factors: [0, 0, 0, 0],
      learningRate: 1,
      momentum: 0,
      epsilon: 0.6,
      floor: { layerOf: [0, 0, 0, 0], minPerLayer: [2], minTotal: 0 },
    });
    expect(Array.from(dec.keep)).toEqual([1, 0, 0, 1]);
    expect(dec.projected).toBe(2);
    expect(dec.held).toBe(1); // group 0 fails the test (0.5 < 0.6) but the floor keeps it
  });
});

describeBackends('keep floor in the optimizer', () => {
  it('keepFloorOf reads the budget (layer, global) or minGroupsPerLayer (group lasso)', () => {
    const model = denseModel(1);
    const layer = keepFloorOf(wgsef({ groups: 'filters', keep: { count: 2 }, lambda: 0.1 }).attach(model));
    expect(Array.from(layer.minPerLayer)).toEqual([2, 2]);
    expect(layer.minTotal).toBe(0);
    const global = keepFloorOf(
      wgsef({
        groups: 'filters',
        keep: { count: 5 },
        scope: 'global',
        minGroupsPerLayer: 1,
        lambda: 0.1,
      }).attach(model),
    );
    expect(Array.from(global.minPerLayer)).toEqual([1, 1]);
    expect(global.minTotal).toBe(5);
    expect(
      Array.from(keepFloorOf(groupLasso({ groups: 'filters', lambda: 0.1 }).attach(model)).minPerLayer),
    ).toEqual([1, 1]);
    const none = keepFloorOf(
      groupLasso({ groups: 'filters', minGroupsPerLayer: 0, lambda: 0.1 }).attach(model),
    );
    expect(Array.from(none.minPerLayer)).toEqual([0, 0]);
  });

  it('scope global: a step where every group fails the test keeps exactly k, the least negative margins', async () => {
    const model = denseModel(5);
    const reg = wgsef({ groups: 'filters', keep: { count: 4 }, scope: 'global', lambda: 0.3 }).attach(model);
    const lr = 0.5;
    const { x, y } = seededBatch(8, [5], 3, 6);
    const v0 = readWeights(model);
    const g = handGradients(model, x, y);
    const a = handNorms(reg.binding.partition, v0);
    const f = reg.gradientFactors(a);
    // margin_j = 1 - lr (dot(g_j, x_j) / ||x_j||^2 + f_j), by hand
    const gd = new Float64Array(a.length);
    for (const term of reg.binding.terms) {
      const x0 = v0.get(term.variableName) as Float64Array;
      const gv = g.get(term.variableName) as Float64Array;
      elementGroupIds(term).forEach((gid, i) => {
        if (gid >= 0) gd[gid] = (gd[gid] as number) + (gv[i] as number) * (x0[i] as number);
      });
    }
    const margins = Array.from(a, (aj, j) => 1 - lr * ((gd[j] as number) / aj ** 2 + (f[j] as number)));
    const epsilon = 0.99;
    expect(margins.every((r) => r < epsilon)).toBe(true);
    const all = Array.from(a.keys());
    const floor = { layerOf: Array.from(reg.layout.layerOf), minPerLayer: [1, 1], minTotal: 4 };
    const projected = bruteForce(
      all.map(() => 1),
      all,
      margins,
      floor,
    );
    const opt = hspg({ regularizer: reg, learningRate: lr, epsilon });
    model.compile({ optimizer: opt, loss: 'categoricalCrossentropy' });
    await model.fit(x, y, { batchSize: 8, epochs: 1, shuffle: false });
    const after = reg.binding.groupNorms();
    expect(Array.from(after, (n) => (n > 0 ? 1 : 0))).toEqual(
      all.map((j) => (projected.includes(j) ? 0 : 1)),
    );
    expect(reg.stats(after).total.nonzero).toBe(4);
    expect(opt.lastProjected).toBe(6);
    expect(opt.lastHeld).toBe(4);
    tf.dispose([x, y]);
  });
}, ['cpu']);
