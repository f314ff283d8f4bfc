/**
 * Training with `batchNorm: 'scales'` (BN-followed filters measured by gamma/beta only) and the plain
 * `prune(model)`: `finalize()` zeroes gamma and beta of the cut channels, not their conv kernels, and the
 * pruner still removes them (a BN with gamma = beta = 0 outputs 0), to exactly k per layer, with the outputs
 * unchanged and no tensor leaked. Real Fashion-MNIST, a real `model.fit` with the prox callback.
 */
import { proxCallback } from '@klevel/prox-callback';
import { describeBackends, expectNoLeaks, onTestBackendReady } from '@klevel/test-utils';
import { registerTrainingKernels } from '@klevel/wasm-train';
import { wgsef } from '@klevel/wgsef';
import { loadFashionMnist, resnetBlockModel, vggSmall } from '@klevel/zoo';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { prune } from './prune';

onTestBackendReady((backend) => {
  registerTrainingKernels(backend);
});

let xs: tf.Tensor;
let ys: tf.Tensor;

/** Output channels of every layer with a kernel. */
function widths(model: tfl.LayersModel): Record<string, number> {
  const out: Record<string, number> = {};
  for (const l of model.layers) {
    const k = l.getWeights()[0];
    if (k && l.getClassName() !== 'BatchNormalization') out[l.name] = k.shape[k.shape.length - 1] as number;
  }
  return out;
}

/** Multiplies kernel[..., o] of conv `name` by 100 where the next BatchNorm has gamma[o] = 0. */
function inflateCutKernels(model: tfl.LayersModel, name: string): void {
  const at = model.layers.findIndex((l) => l.name === name);
  const bn = model.layers.slice(at + 1).find((l) => l.getClassName() === 'BatchNormalization')!;
  const gamma = bn.getWeights()[0]!.dataSync();
  const scale = tf.tensor1d(Float32Array.from(gamma, (g) => (g === 0 ? 100 : 1)));
  const conv = model.getLayer(name);
  const [kernel, ...rest] = conv.getWeights();
  const inflated = tf.mul(kernel!, scale);
  conv.setWeights([inflated, ...rest]);
  tf.dispose([scale, inflated]);
}

const architectures: Array<[string, () => tfl.LayersModel]> = [
  ['BatchNorm stack (VGG-small)', () => vggSmall({ seed: 1, filters: [4, 4, 6, 6], units: 12 })],
  ['residual add + BatchNorm', () => resnetBlockModel({ seed: 1, inputShape: [28, 28, 1], filters: 6 })],
];

describeBackends("prune(model) after training with batchNorm: 'scales'", () => {
  beforeAll(async () => {
    const data = await loadFashionMnist({ split: 'train', limit: 96 });
    ({ xs, ys } = data.toTensors());
  });
  afterAll(() => tf.dispose([xs, ys]));

  for (const [arch, build] of architectures) {
    it(`${arch}: exactly k per layer, outputs equal, conv kernels of cut channels not zeroed`, async () => {
      const model = build();
      const reg = wgsef({ groups: 'filters', keep: { fraction: 0.5 }, lambda: 1e-2, batchNorm: 'scales' });
      model.compile({ optimizer: tf.train.momentum(0.02, 0.9), loss: 'categoricalCrossentropy' });
      await model.fit(xs, ys, {
        batchSize: 32,
        epochs: 1,
        shuffle: false,
        verbose: 0,
        callbacks: [proxCallback(reg, { finalizeOnEnd: true })],
      });
      const measuredVars = reg.layout.terms.map((t) => t.variableName);
      expect(measuredVars.some((v) => /gamma/.test(v))).toBe(true);
      const { layerNames } = reg.layout;
      const k = Object.fromEntries(layerNames.map((n, l) => [n, reg.budget!.perLayer[l] as number]));
      const before = widths(model);
      const cut = layerNames.filter((n) => (k[n] as number) < (before[n] as number));
      expect(cut.length, 'some layer has channels to cut').toBeGreaterThan(0);

      await expectNoLeaks(async () => {
        const { model: small, report } = await prune(model, { check: { tolerance: 1e-5 } });
        expect(report.equivalence?.maxRelativeDifference).toBeLessThanOrEqual(1e-5);
        const after = widths(small);
        for (const n of layerNames) expect(after[n], n).toBe(k[n]);
        small.dispose();
      });
      // the convs measured at their BN kept every filter: finalize() zeroed only the BN entries there
      const atBn = cut.filter((n) => !measuredVars.some((v) => v.startsWith(`${n}/`)));
      expect(atBn.length, 'some cut layer is measured at its BatchNorm').toBeGreaterThan(0);
      for (const n of atBn) {
        const kernel = model.getLayer(n).getWeights()[0]!;
        const perChannel = tf.tidy(() => tf.max(tf.abs(kernel), [0, 1, 2]).dataSync());
        expect(
          Array.from(perChannel).every((v) => v > 0),
          n,
        ).toBe(true);
      }
      // prune(model, { keep }) ranks a channel cut at its BN by what reaches the output (nothing), not by its
      // kernel: with the cut channels' kernels made the largest, the top k must still be the live channels
      for (const n of atBn) inflateCutKernels(model, n);
      await expectNoLeaks(async () => {
        const kept = await prune(model, { keep: k, check: { tolerance: 1e-5 } });
        expect(kept.report.equivalence?.maxRelativeDifference).toBeLessThanOrEqual(1e-5);
        for (const n of layerNames) expect(widths(kept.model)[n], n).toBe(k[n]);
        kept.model.dispose();
      });
      model.dispose();
    });
  }
}, ['wasm']);
