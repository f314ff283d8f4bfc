import { describe, expect, it } from 'vitest';
import { DEFAULT_ROOT_METHOD, weightedSefProxUnchecked } from '../weighted-sef-prox';
import { resolvePlanOptions } from './auto-options';
import { TrainingPlan } from './training-plan';

const prox = (a: Float64Array, w: Float64Array, k: number, pen: number) =>
  weightedSefProxUnchecked(a, { k, lambda: pen, weights: w, method: DEFAULT_ROOT_METHOD });
const units = [
  { name: 'a', members: Int32Array.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), k: 2 },
  { name: 'b', members: Int32Array.of(10, 11, 12, 13, 14), k: 1 },
];
const weights = Float64Array.from({ length: 15 }, (_, j) => (j < 10 ? 1 : 3));
const norms = Float64Array.from({ length: 15 }, (_, j) => 1 + (j % 5) / 10);
const plan = (a: Record<string, unknown>, userLambda = () => 0.01) =>
  new TrainingPlan(
    'wgsef',
    resolvePlanOptions('wgsef', { keep: { count: 1 }, ...a }),
    units,
    weights,
    prox,
    userLambda,
  );

describe('TrainingPlan', () => {
  it('numeric lambda: the user value for every unit, the final k, always active', () => {
    const p = plan({ lambda: 0.01 }, () => 0.01);
    const s = p.at(norms, 0.1, 0);
    expect(Array.from(s.lambdas)).toEqual([0.01, 0.01]);
    expect(Array.from(s.ks)).toEqual([2, 1]);
    expect(s.active).toBe(true);
  });

  it("'auto' needs a target step and says how to give one", () => {
    const p = plan({ lambda: 'auto' });
    expect(() => p.at(norms, 0.1, 0)).toThrow(
      /targetStep or targetEpoch, or train with model.fit and proxCallback/,
    );
    const q = plan({ lambda: 'auto', targetEpoch: 2 });
    expect(() => q.at(norms, 0.1, 0)).toThrow(/targetEpoch was given but the steps per epoch are unknown/);
  });

  it("'auto' without a schedule moves k from m to k over 2/3 of its target, which defaults to 3/4 of the fit", () => {
    const p = plan({ lambda: 'auto' });
    p.beginFit({ stepsPerEpoch: 10, totalSteps: 120 });
    expect(p.targetStep()).toBe(90);
    expect(Array.from(p.ksAt(0))).toEqual([10, 5]);
    expect(Array.from(p.ksAt(60))).toEqual([2, 1]);
    expect(p.at(norms, 0.1, 0).lambdas.every((l) => l === 0)).toBe(true); // nothing outside k = m yet
    expect(p.at(norms, 0.1, 30).lambdas.every((l) => l > 0)).toBe(true);
  });

  it('resolves the target step from targetStep, targetEpoch x steps per epoch, or the fit', () => {
    expect(plan({ lambda: 'auto', targetStep: 40 }).targetStep()).toBe(40);
    const e = plan({ lambda: 'auto', targetEpoch: 1.5 });
    e.beginFit({ stepsPerEpoch: 20, totalSteps: 100 });
    expect(e.targetStep()).toBe(30);
    const f = plan({ lambda: 0.01, sparsitySchedule: { type: 'polynomial' } });
    f.beginFit({ stepsPerEpoch: 20, totalSteps: 100, startStep: 50 });
    expect(f.targetStep()).toBe(150);
  });

  it("'auto' gives one lambda per unit, scaled to the unit, and logs them", () => {
    const p = plan({ lambda: 'auto', targetStep: 100, sparsitySchedule: { type: 'constant' } });
    const s = p.at(norms, 0.1, 0);
    expect(s.lambdas.every((l) => l > 0)).toBe(true);
    // unit b's groups weigh 3x: its lambda is about 1/9 of unit a's
    expect((s.lambdas[0] as number) / (s.lambdas[1] as number)).toBeCloseTo(9, 0);
    expect(Array.from(p.lambdasNow(0))).toEqual(Array.from(s.lambdas));
    expect(p.autoState?.length).toBe(2);
  });

  it('a polynomial schedule moves k from m to the final k by its end step; nothing before beginStep', () => {
    const p = plan({
      lambda: 0.01,
      sparsitySchedule: { type: 'polynomial', beginStep: 10, endStep: 110, power: 1 },
    });
    expect(p.at(norms, 0.1, 5).active).toBe(false);
    expect(Array.from(p.ksAt(10))).toEqual([10, 5]);
    expect(Array.from(p.ksAt(60))).toEqual([6, 3]);
    expect(Array.from(p.ksAt(500))).toEqual([2, 1]);
    const q = plan({ lambda: 'auto', sparsitySchedule: { type: 'polynomial' } });
    q.beginFit({ totalSteps: 100, stepsPerEpoch: 10 });
    expect(Array.from(q.ksAt(100))).toEqual([2, 1]);
    expect(Array.from(q.ksAt(0))).toEqual([10, 5]);
  });
});
