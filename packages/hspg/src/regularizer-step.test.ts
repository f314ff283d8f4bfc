/** `regularizerStep`: the regularizer's part of the stage-2 trial point, as a gradient step or as the prox. */
import {
  denseModel,
  describeBackends,
  elementGroupIds,
  handGradients,
  handNorms,
  handScale,
  maxRelDiff,
  onTestBackendReady,
  readWeights,
  seededBatch,
} from '@klevel/test-utils';
import { registerTrainingKernels } from '@klevel/wasm-train';
import { type GroupRegularizer, wgsef } from '@klevel/wgsef';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { HspgOptimizer, hspg, type RegularizerStep } from './index';

onTestBackendReady((backend) => {
  registerTrainingKernels(backend);
});

/** A loss with zero gradient: the step is the regularizer's alone. */
const zeroLoss = (_y: tf.Tensor, p: tf.Tensor) => tf.mul(0, tf.sum(p));

describe('hspg() regularizerStep option', () => {
  const reg = wgsef({ groups: 'filters', keep: { count: 1 }, lambda: 0.1 });
  it('defaults to gradient, rejects other values, and survives getConfig/fromConfig', () => {
    expect(hspg({ regularizer: reg, learningRate: 0.1 }).regularizerStep).toBe('gradient');
    expect(() =>
      hspg({ regularizer: reg, learningRate: 0.1, regularizerStep: 'implicit' as RegularizerStep }),
    ).toThrow(/regularizerStep must be 'gradient' or 'prox', got "implicit"/);
    const opt = hspg({ regularizer: reg, learningRate: 0.1, regularizerStep: 'prox' });
    const back = HspgOptimizer.fromConfig(HspgOptimizer, opt.getConfig()) as HspgOptimizer;
    expect(back.regularizerStep).toBe('prox');
    const { regularizerStep: _, ...old } = opt.getConfig();
    expect((HspgOptimizer.fromConfig(HspgOptimizer, old) as HspgOptimizer).regularizerStep).toBe('gradient');
  });
});

describeBackends('HspgOptimizer regularizerStep', () => {
  it("'prox': the trial point is prox_{lr lambda R}(x) - lr grad_f, then the half-space test (hand computation)", async () => {
    const model = denseModel(3);
    const lr = 0.5;
    const reg = wgsef({ groups: 'filters', keep: { count: 2 }, lambda: 0.3 }).attach(model);
    const { x, y } = seededBatch(8, [5], 3, 4);
    const v0 = readWeights(model);
    const g = handGradients(model, x, y);
    const p = reg.binding.partition;
    const a = handNorms(p, v0);
    const t = reg.proxOfNorms(a, lr);
    const r = Array.from(a, (aj, j) => (aj > 0 ? (t[j] as number) / aj : 1));
    const scaled = handScale(p, v0, r);
    const xHat = new Map(
      [...scaled].map(([k, v]) => {
        const gv = g.get(k);
        return [k, gv ? v.map((u, i) => u - lr * (gv[i] as number)) : v];
      }),
    );
    const dots = new Float64Array(a.length);
    for (const term of p.terms) {
      const xh = xHat.get(term.variableName) as Float64Array;
      const x0 = v0.get(term.variableName) as Float64Array;
      elementGroupIds(term).forEach((gid, i) => {
        if (gid >= 0) dots[gid] = (dots[gid] as number) + (xh[i] as number) * (x0[i] as number);
      });
    }
    const ratio = (j: number) => (dots[j] as number) / (a[j] as number) ** 2;
    const sorted = Array.from(a.keys())
      .map(ratio)
      .sort((u, v) => u - v);
    const epsilon = Math.min(0.99, Math.max(0, ((sorted[0] as number) + (sorted[1] as number)) / 2));
    const keep = Array.from(a.keys(), (j) => (ratio(j) >= epsilon ? 1 : 0));
    expect(keep.filter((k) => k === 0).length).toBeGreaterThanOrEqual(1);
    // the keep floor, by hand (k = 2 per layer)
    const { layerOf } = reg.layout;
    const perLayer = reg.budget?.perLayer as Int32Array;
    perLayer.forEach((k, l) => {
      const members = Array.from(a.keys()).filter((j) => layerOf[j] === l);
      const failing = members.filter((j) => keep[j] === 0).sort((u, v) => ratio(u) - ratio(v));
      for (const j of failing.slice(Math.max(0, members.length - k))) keep[j] = 1;
    });
    const expected = handScale(p, xHat, keep);
    const opt = hspg({ regularizer: reg, learningRate: lr, epsilon, regularizerStep: 'prox' });
    model.compile({ optimizer: opt, loss: 'categoricalCrossentropy' });
    await model.fit(x, y, { batchSize: 8, epochs: 1, shuffle: false });
    expect(
      maxRelDiff(
        model,
        expected,
        model.trainableWeights.map((w) => w.name),
      ),
    ).toBeLessThan(5e-5);
    expect(opt.lastProjected).toBe(keep.filter((k) => k === 0).length);
    tf.dispose([x, y]);
  });

  async function largeStep(
    step: RegularizerStep,
  ): Promise<{ before: Float64Array; after: Float64Array; reg: GroupRegularizer }> {
    const model = denseModel(8);
    // lr * lambda * w_j^2 = 2 * 0.5 * 5 = 5 on the head of d1 (w_j^2 = 5 inputs): the explicit step overshoots
    const reg = wgsef({ groups: 'filters', keep: { count: 2 }, lambda: 0.5 }).attach(model);
    const { x, y } = seededBatch(8, [5], 3, 9);
    model.compile({
      optimizer: hspg({ regularizer: reg, learningRate: 2, epsilon: 0, regularizerStep: step }),
      loss: zeroLoss,
    });
    const before = reg.binding.groupNorms();
    await model.fit(x, y, { batchSize: 8, epochs: 3, shuffle: false });
    const after = reg.binding.groupNorms();
    tf.dispose([x, y]);
    return { before, after, reg };
  }

  it("'prox' is stable at a large step (every norm shrinks, k per layer kept); 'gradient' overshoots and grows", async () => {
    const prox = await largeStep('prox');
    prox.after.forEach((n, j) => {
      expect(n).toBeLessThanOrEqual(prox.before[j] as number);
    });
    for (const [name, s] of Object.entries(prox.reg.stats(prox.after).layers)) {
      expect(s.nonzero, name).toBe(2);
    }
    const grad = await largeStep('gradient');
    const grew = Array.from(grad.after).some((n, j) => n > 10 * (grad.before[j] as number));
    expect(grew).toBe(true);
  });
});
