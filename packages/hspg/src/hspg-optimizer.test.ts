import { proxCallback } from '@klevel/prox-callback';
import {
  convBnModel,
  denseModel,
  describeBackends,
  elementGroupIds,
  expectNoLeaks,
  handGradients,
  handNorms,
  handScale,
  maxRelDiff,
  onTestBackendReady,
  readWeights,
  residualModel,
  seededBatch,
  sgdStep,
} from '@klevel/test-utils';
import { registerTrainingKernels } from '@klevel/wasm-train';
import { type GroupRegularizer, groupLasso, wgsef } from '@klevel/wgsef';
import { weightedSefProx } from '@klevel/wgsef/math';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { HspgOptimizer, hspg } from './index';

onTestBackendReady((backend) => {
  registerTrainingKernels(backend);
});

/** Zeroes group `j` of the regularizer on the device. */
function zeroGroup(reg: GroupRegularizer, j: number): void {
  const s = new Float64Array(reg.binding.numGroups).fill(1);
  s[j] = 0;
  reg.binding.scaleGroups(s);
}

/** In-memory save handler + loader (tf.io.withSaveHandler round trip). */
async function saveAndLoad(model: tfl.LayersModel): Promise<tfl.LayersModel> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
    { includeOptimizer: true },
  );
  return tfl.loadLayersModel(tf.io.fromMemory(artifacts as tf.io.ModelArtifacts));
}

describe('hspg() options', () => {
  const reg = wgsef({ groups: 'filters', keep: { count: 1 }, lambda: 0.1 });
  it('rejects bad options with clear messages', () => {
    expect(() => hspg({ learningRate: 0.1 } as never)).toThrow(
      /'regularizer' must be a regularizer from wgsef/,
    );
    expect(() => hspg({ regularizer: reg, learningRate: 0 })).toThrow(
      /learningRate must be a finite number > 0/,
    );
    expect(() => hspg({ regularizer: reg, learningRate: 0.1, epsilon: 1 })).toThrow(
      /epsilon must be a number in \[0, 1\)/,
    );
    expect(() => hspg({ regularizer: reg, learningRate: 0.1, momentum: -0.1 })).toThrow(/momentum/);
    expect(() => hspg({ regularizer: reg, learningRate: 0.1, switchAt: { step: 1.5 } })).toThrow(
      /switchAt.step/,
    );
    expect(() => hspg({ regularizer: reg, learningRate: 0.1, switchAt: 3 as never })).toThrow(
      /switchAt must be/,
    );
    expect(() => hspg({ regularizer: reg, learningRate: 0.1, lr: 1 } as never)).toThrow(
      /unknown option\(s\) lr/,
    );
    const sub = wgsef({ groups: 'filters', keep: { count: 1 }, lambda: 0.1, gradient: 'subgradient' });
    expect(() => hspg({ regularizer: sub, learningRate: 0.1 })).toThrow(/gradient: 'prox'/);
  });
  it('has a stable class name and a config round trip', () => {
    const opt = hspg({
      regularizer: reg,
      learningRate: 0.05,
      momentum: 0.9,
      epsilon: 0.1,
      switchAt: { epoch: 3 },
    });
    expect(HspgOptimizer.className).toBe('KlevelHspgOptimizer');
    const back = HspgOptimizer.fromConfig(HspgOptimizer, opt.getConfig()) as HspgOptimizer;
    expect(back.getConfig()).toEqual(opt.getConfig());
    expect(back.regularizer?.options).toEqual(reg.options);
    expect(back.switchAt).toEqual({ epoch: 3 });
  });
});

describeBackends('HspgOptimizer', () => {
  it('stage 1 is an SGD step followed by the WGSEF prox (hand computation)', async () => {
    const model = denseModel(1);
    const reg = wgsef({ groups: 'filters', keep: { count: 2 }, lambda: 0.5 }).attach(model);
    model.compile({
      optimizer: hspg({ regularizer: reg, learningRate: 0.2, switchAt: { step: 10 } }),
      loss: 'categoricalCrossentropy',
    });
    const { x, y } = seededBatch(8, [5], 3, 2);
    const v1 = sgdStep(readWeights(model), handGradients(model, x, y), 0.2);
    const a = handNorms(reg.binding.partition, v1);
    const scales = new Float64Array(a.length);
    reg.layout.layerGroups.forEach((members) => {
      const aa = Array.from(members, (j) => a[j] as number);
      const t = weightedSefProx(aa, {
        k: 2,
        lambda: 0.1,
        weights: Array.from(members, (j) => reg.layout.weights[j] as number),
      });
      members.forEach((j, i) => {
        scales[j] = (t[i] as number) / (aa[i] as number);
      });
    });
    await model.fit(x, y, { batchSize: 8, epochs: 1, shuffle: false });
    expect(maxRelDiff(model, handScale(reg.binding.partition, v1, scales))).toBeLessThan(2e-5);
    tf.dispose([x, y]);
  });

  for (const [label, build, shape] of [
    ['Dense', denseModel, [5]],
    ['Conv2D + BatchNorm', convBnModel, [6, 6, 2]],
    ['residual add coupling two convs', residualModel, [6, 6, 2]],
  ] as const) {
    it(`stage 2 is the half-space step: zero groups stay zero, groups leaving the half-space are zeroed (${label})`, async () => {
      const model = build(3);
      const lr = 0.5;
      const reg = wgsef({ groups: 'filters', keep: { count: 2 }, lambda: 0.3 }).attach(model);
      zeroGroup(reg, 1);
      const { x, y } = seededBatch(8, shape as unknown as number[], 3, 4);
      const v0 = readWeights(model);
      const g = handGradients(model, x, y);
      const p = reg.binding.partition;
      const a = handNorms(p, v0);
      const f = reg.gradientFactors(a);
      // x_hat = x - lr (g + f x) on nonzero groups; regularized values only
      const gScaled = new Map([...g].map(([k, v]) => [k, Float64Array.from(v)]));
      const xf = handScale(p, v0, f);
      for (const term of p.terms) {
        const gv = gScaled.get(term.variableName) as Float64Array;
        const fx = xf.get(term.variableName) as Float64Array;
        gv.forEach((_, i) => {
          gv[i] = (gv[i] as number) + (fx[i] as number);
        });
      }
      const xHat = sgdStep(v0, gScaled, lr);
      // dot(x_hat_g, x_g) / ||x_g||^2 per group, by hand
      const dots = new Float64Array(a.length);
      for (const term of p.terms) {
        const ids = elementGroupIds(term);
        const xh = xHat.get(term.variableName) as Float64Array;
        const x0 = v0.get(term.variableName) as Float64Array;
        ids.forEach((gid, i) => {
          if (gid >= 0) dots[gid] = (dots[gid] as number) + (xh[i] as number) * (x0[i] as number);
        });
      }
      const ratios = Array.from(a, (aj, j) => (aj > 0 ? (dots[j] as number) / aj ** 2 : Number.NaN)).filter(
        (r) => !Number.isNaN(r),
      );
      ratios.sort((u, v) => u - v);
      const epsilon = Math.min(0.99, Math.max(0, ((ratios[0] as number) + (ratios[1] as number)) / 2));
      const keep = Array.from(a, (aj, j) => (aj > 0 && (dots[j] as number) >= epsilon * aj ** 2 ? 1 : 0));
      expect(keep.filter((k) => k === 0).length).toBeGreaterThanOrEqual(2); // the zero group + at least one projected
      // the keep floor, by hand: layer l loses at most (nonzero_l - k_l) groups, most negative ratio first
      const { layerOf } = reg.layout;
      const perLayer = reg.budget?.perLayer as Int32Array;
      perLayer.forEach((k, l) => {
        const members = Array.from(a.keys()).filter((j) => layerOf[j] === l && (a[j] as number) > 0);
        const ratio = (j: number) => (dots[j] as number) / (a[j] as number) ** 2;
        const failing = members.filter((j) => keep[j] === 0).sort((u, v) => ratio(u) - ratio(v));
        for (const j of failing.slice(Math.max(0, members.length - k))) keep[j] = 1;
      });
      const expected = handScale(p, xHat, keep);
      const opt = hspg({ regularizer: reg, learningRate: lr, epsilon });
      model.compile({ optimizer: opt, loss: 'categoricalCrossentropy' });
      await model.fit(x, y, { batchSize: 8, epochs: 1, shuffle: false });
      const names = model.trainableWeights.map((w) => w.name);
      expect(maxRelDiff(model, expected, names)).toBeLessThan(5e-5);
      expect(opt.lastProjected).toBe(keep.filter((k, j) => k === 0 && (a[j] as number) > 0).length);
      const after = reg.binding.groupNorms();
      expect(after[1]).toBe(0);
      tf.dispose([x, y]);
    });
  }

  it('works with group lasso, and switches by epoch when ProxCallback forwards epochs', async () => {
    const model = denseModel(5);
    const reg = groupLasso({ groups: 'filters', lambda: 0.05, keep: { count: 2 } });
    const opt = hspg({
      regularizer: reg,
      learningRate: 0.3,
      momentum: 0.5,
      epsilon: 0.2,
      switchAt: { epoch: 2 },
    });
    model.compile({ optimizer: opt, loss: 'categoricalCrossentropy' });
    const { x, y } = seededBatch(16, [5], 3, 6);
    const stages: number[] = [];
    const spy = new tfl.CustomCallback({ onBatchBegin: async () => void stages.push(opt.stage) });
    const cb = proxCallback(reg);
    await model.fit(x, y, { batchSize: 8, epochs: 4, callbacks: [spy, cb] });
    expect(stages).toEqual([1, 1, 1, 1, 2, 2, 2, 2]);
    expect(cb.monitoring).toBe(true);
    expect(cb.history).toHaveLength(8);
    const fresh = hspg({ regularizer: reg, learningRate: 0.3, switchAt: { epoch: 1 } });
    model.compile({ optimizer: fresh, loss: 'categoricalCrossentropy' });
    await expect(model.fit(x, y, { epochs: 1 })).rejects.toThrow(/needs the current epoch; add proxCallback/);
    tf.dispose([x, y]);
  });

  it('gives a clear error for a model whose variables the regularizer does not know', async () => {
    const a = denseModel(7);
    const b = denseModel(8);
    const reg = wgsef({ groups: 'filters', keep: { count: 2 }, lambda: 0.1 }).attach(a);
    b.compile({ optimizer: hspg({ regularizer: reg, learningRate: 0.1 }), loss: 'categoricalCrossentropy' });
    const { x, y } = seededBatch(4, [5], 3, 9);
    await expect(b.fit(x, y, { epochs: 1 })).rejects.toThrow(
      /attached to a different model: call optimizer.attach\(model\)/,
    );
    const unattached = wgsef({ groups: 'filters', keep: { count: 2 }, lambda: 0.1 });
    b.compile({
      optimizer: hspg({ regularizer: unattached, learningRate: 0.1 }),
      loss: 'categoricalCrossentropy',
    });
    await expect(b.fit(x, y, { epochs: 1 })).rejects.toThrow(/not attached to a model/);
    tf.dispose([x, y]);
  });

  for (const switchStep of [4, 0]) {
    it(`save/load with includeOptimizer and resume gives the same trajectory as not stopping (switch at step ${switchStep})`, async () => {
      const { x, y } = seededBatch(24, [5], 3, 10);
      const make = () => {
        const model = denseModel(11);
        const reg = wgsef({ groups: 'filters', keep: { count: 2 }, lambda: 0.2 });
        const opt = hspg({
          regularizer: reg.attach(model),
          learningRate: 0.2,
          momentum: 0.9,
          epsilon: 0.3,
          switchAt: { step: 4 },
        });
        model.compile({ optimizer: opt, loss: 'categoricalCrossentropy' });
        return model;
      };
      const fitChunk = (m: tfl.LayersModel) => m.fit(x, y, { batchSize: 8, epochs: 1, shuffle: false });
      const straight = make();
      for (let i = 0; i < 3; i++) await fitChunk(straight);
      const stopped = make();
      await fitChunk(stopped);
      const loaded = await saveAndLoad(stopped);
      const opt = loaded.optimizer as HspgOptimizer;
      expect(opt).toBeInstanceOf(HspgOptimizer);
      expect(opt.iterations).toBe(3);
      opt.attach(loaded);
      await fitChunk(loaded);
      await fitChunk(loaded);
      expect(opt.iterations).toBe(9);
      const expected = readWeights(straight);
      const got = readWeights(loaded);
      let maxDiff = 0;
      straight.weights.forEach((w, i) => {
        const e = expected.get(w.name) as Float64Array;
        const g = got.get(loaded.weights[i]?.name as string) as Float64Array;
        e.forEach((v, j) => {
          maxDiff = Math.max(maxDiff, Math.abs(v - (g[j] as number)));
        });
      });
      expect(maxDiff).toBeLessThan(1e-5);
      // saving right after loading (slots restored but not yet bound) keeps them
      const again = await saveAndLoad(await saveAndLoad(stopped));
      expect((await again.optimizer.getWeights()).length).toBe((await stopped.optimizer.getWeights()).length);
      tf.dispose([x, y]);
    });
  }

  it('leaks no tensors over 500 steps across the stage switch (with momentum)', async () => {
    const model = denseModel(12);
    const reg = wgsef({ groups: 'filters', keep: { count: 2 }, lambda: 0.01 }).attach(model);
    const opt = hspg({
      regularizer: reg,
      learningRate: 0.05,
      momentum: 0.9,
      epsilon: 0.05,
      switchAt: { step: 260 },
    });
    model.compile({ optimizer: opt, loss: 'categoricalCrossentropy' });
    const { x, y } = seededBatch(250, [5], 3, 13);
    await model.fit(x, y, { batchSize: 25, epochs: 1 }); // creates the momentum slots
    await expectNoLeaks(async () => {
      await model.fit(x, y, { batchSize: 1, epochs: 2 });
    });
    expect(opt.iterations).toBe(510);
    expect(opt.stage).toBe(2);
    tf.dispose([x, y]);
  });
});
