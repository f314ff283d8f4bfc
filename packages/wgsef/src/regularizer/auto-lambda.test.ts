import { describe, expect, it } from 'vitest';
import { DEFAULT_ROOT_METHOD, weightedSefProxUnchecked } from '../weighted-sef-prox';
import {
  AutoLambda,
  enforceKeepFloor,
  initialPenalty,
  lambdaCap,
  rhoTarget,
  tailEnergyFraction,
} from './auto-lambda';

const prox = (a: Float64Array, w: Float64Array, k: number, pen: number) =>
  weightedSefProxUnchecked(a, { k, lambda: pen, weights: w, method: DEFAULT_ROOT_METHOD });

describe('tailEnergyFraction', () => {
  it('is the squared mass outside the top k over the total', () => {
    expect(tailEnergyFraction([3, 1, 2, 0], 2)).toBeCloseTo(1 / 14);
    expect(tailEnergyFraction([1, 1, 1, 1], 1)).toBeCloseTo(0.75);
    expect(tailEnergyFraction([0, 0], 1)).toBe(0);
    expect(tailEnergyFraction([5, 4], 2)).toBe(0);
  });
});

describe('rhoTarget', () => {
  it('decays from rho0 to rhoEnd with the given power and holds after', () => {
    expect(rhoTarget(0.8, 0.01, 3, 0)).toBeCloseTo(0.8);
    expect(rhoTarget(0.8, 0.01, 3, 0.5)).toBeCloseTo(0.01 + 0.79 / 8);
    expect(rhoTarget(0.8, 0.01, 3, 1)).toBeCloseTo(0.01);
    expect(rhoTarget(0.8, 0.01, 3, 2)).toBeCloseTo(0.01);
    expect(rhoTarget(0.001, 0.01, 3, 0)).toBeCloseTo(0.01);
  });
});

describe('initialPenalty and lambdaCap', () => {
  it('finds the penalty whose prox shrinks the median bottom group by the given fraction', () => {
    const a = Float64Array.from({ length: 40 }, (_, i) => 1 + i / 40);
    const w = new Float64Array(40).fill(3);
    const pen = initialPenalty(a, w, 8, 1e-3, prox);
    const t = prox(a, w, 8, pen);
    const shrink = Array.from(a.slice(0, 32), (x, i) => 1 - (t[i] as number) / x).sort((x, y) => x - y);
    expect((shrink[15]! + shrink[16]!) / 2).toBeCloseTo(1e-3, 5);
  });
  it('scales with the group weights as 1 / w^2 (a layer with 10x the weight gets 1/100 the penalty)', () => {
    const a = Float64Array.from({ length: 30 }, (_, i) => 0.5 + (i % 7) / 10);
    const p1 = initialPenalty(a, new Float64Array(30).fill(1), 6, 1e-3, prox);
    const p10 = initialPenalty(a, new Float64Array(30).fill(10), 6, 1e-3, prox);
    expect(p1 / p10).toBeCloseTo(100, 0);
  });
  it('caps lambda so that lr * lambda * w^2 of the kept groups stays at maxShrink', () => {
    const w = Float64Array.of(2, 2, 2);
    const b = Float64Array.of(2, 4, 6);
    expect(lambdaCap(w, 2, b, 0.1, 0.01)).toBeCloseTo(0.01 / (0.1 * 4));
    expect(lambdaCap(w, 2, b, 0, 0.01)).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('AutoLambda', () => {
  it('raises lambda while rho is above its target and lowers it below, by at most maxRate per step', () => {
    const m = 20;
    const w = new Float64Array(m).fill(1);
    const ctl = new AutoLambda(w, prox, { maxRate: 0.05, maxShrink: 1 });
    const blocks = [{ members: Int32Array.from({ length: m }, (_, j) => j), k: 4 }];
    const flat = new Float64Array(m).fill(1);
    const l0 = ctl.update(flat, blocks, 0.1, 0)[0] as number;
    expect(l0).toBeGreaterThan(0);
    // halfway: target far below rho = 0.8 -> up by exactly exp(maxRate)
    const l1 = ctl.update(flat, blocks, 0.1, 0.5)[0] as number;
    expect(l1 / l0).toBeCloseTo(Math.exp(0.05));
    // norms with almost no tail energy: down
    const sparse = Float64Array.from({ length: m }, (_, j) => (j < 4 ? 1 : 1e-4));
    const l2 = ctl.update(sparse, blocks, 0.1, 0.5)[0] as number;
    expect(l2).toBeLessThan(l1);
    expect(l1 / l2).toBeLessThanOrEqual(Math.exp(0.05) + 1e-12);
    expect(ctl.blocks[0]?.rho).toBeCloseTo(tailEnergyFraction(sparse, 4));
  });
  it('keeps one lambda per block and respects the cap', () => {
    const w = Float64Array.from({ length: 10 }, (_, j) => (j < 5 ? 1 : 10));
    const ctl = new AutoLambda(w, prox, { maxShrink: 1e-3, maxRate: 0.05 });
    const blocks = [
      { members: Int32Array.of(0, 1, 2, 3, 4), k: 1 },
      { members: Int32Array.of(5, 6, 7, 8, 9), k: 1 },
    ];
    const norms = Float64Array.from({ length: 10 }, (_, j) => 1 + j / 10);
    for (let t = 0; t < 200; t++) ctl.update(norms, blocks, 0.05, 0);
    const [l1, l2] = ctl.blocks.map((b) => b.lambda) as [number, number];
    expect(l1).toBeCloseTo(1e-3 / 0.05, 8);
    expect(l2).toBeCloseTo(1e-3 / (0.05 * 100), 8);
    // the same cap at the target step and after it
    for (let t = 0; t < 200; t++) ctl.update(norms, blocks, 0.05, 1);
    expect(ctl.blocks[0]?.lambda).toBeCloseTo(1e-3 / 0.05, 8);
    // and it follows the learning rate down: at a tenth of the largest lr the kept groups' per-step shrink is
    // capped at a tenth of maxShrink, so the cap on lambda itself does not move
    for (let t = 0; t < 200; t++) ctl.update(norms, blocks, 0.005, 1);
    expect(ctl.blocks[0]?.lambda).toBeCloseTo(1e-3 / 0.05, 8);
  });

  it('takes the cap relative to the largest lr so far, so a warm-up does not loosen it', () => {
    const w = new Float64Array(5).fill(1);
    const ctl = new AutoLambda(w, prox, { maxShrink: 1e-3, maxRate: 0.25 });
    const blocks = [{ members: Int32Array.of(0, 1, 2, 3, 4), k: 1 }];
    const norms = Float64Array.of(1, 1.1, 1.2, 1.3, 1.4);
    // warm-up from lr 1e-4 to 0.1: at every step the per-step shrink lr * lambda stays <= maxShrink
    for (let t = 1; t <= 100; t++) {
      const lr = (0.1 * t) / 100;
      const [lambda] = ctl.update(norms, blocks, lr, 0.5);
      expect((lambda as number) * lr).toBeLessThanOrEqual(1e-3 * (1 + 1e-12));
    }
    // then a decay to 1e-3: lambda stays at maxShrink / lrMax
    for (let t = 0; t < 50; t++) ctl.update(norms, blocks, 1e-3, 0.5);
    expect(ctl.blocks[0]?.lambda).toBeCloseTo(1e-3 / 0.1, 8);
  });

  it('grows the cap geometrically by the target step with maxShrinkGrowth', () => {
    const w = new Float64Array(5).fill(1);
    const ctl = new AutoLambda(w, prox, { maxShrink: 1e-3, maxShrinkGrowth: 10, maxRate: 0.05 });
    const blocks = [{ members: Int32Array.of(0, 1, 2, 3, 4), k: 1 }];
    const norms = Float64Array.of(1, 1.1, 1.2, 1.3, 1.4);
    for (let t = 0; t < 200; t++) ctl.update(norms, blocks, 0.05, 0.5);
    expect(ctl.blocks[0]?.lambda).toBeCloseTo((1e-3 * Math.sqrt(10)) / 0.05, 8);
    for (let t = 0; t < 200; t++) ctl.update(norms, blocks, 0.05, 1);
    expect(ctl.blocks[0]?.lambda).toBeCloseTo(1e-2 / 0.05, 8);
  });
  it('relaxes lambda at the largest rate once the tail is exactly zero', () => {
    const w = new Float64Array(6).fill(1);
    const ctl = new AutoLambda(w, prox, { maxRate: 0.1, maxShrink: 0.5 });
    const blocks = [{ members: Int32Array.of(0, 1, 2, 3, 4, 5), k: 2 }];
    const l0 = ctl.update(Float64Array.of(1, 1, 1, 1, 1, 1), blocks, 0.1, 0)[0] as number;
    const l1 = ctl.update(Float64Array.of(1, 1, 0, 0, 0, 0), blocks, 0.1, 0.5)[0] as number;
    expect(l1 / l0).toBeCloseTo(Math.exp(-0.1));
  });
});

describe('enforceKeepFloor', () => {
  it('restores the largest groups of a layer left below its floor, ridge-shrunk', () => {
    const before = Float64Array.of(3, 1, 2, 5, 4);
    const after = Float64Array.of(0, 0, 0, 4, 3);
    const n = enforceKeepFloor(
      before,
      after,
      [Int32Array.of(0, 1, 2), Int32Array.of(3, 4)],
      [2, 1],
      [1, 1, 1, 1, 1],
      () => 0.1,
    );
    expect(n).toBe(2);
    expect(Array.from(after)).toEqual([3 / 1.1, 0, 2 / 1.1, 4, 3]);
  });
  it('changes nothing when every layer keeps its floor', () => {
    const after = Float64Array.of(1, 0, 2);
    expect(enforceKeepFloor([1, 1, 2], after, [Int32Array.of(0, 1, 2)], [2], [1, 1, 1], () => 1)).toBe(0);
    expect(Array.from(after)).toEqual([1, 0, 2]);
  });
});
