import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describeBackends, expectNoLeaks, maxRelativeDifference, seededNormal } from '@klevel/test-utils';
import { expect, it } from 'vitest';
import { disposeFully, randomizeWeights, resnetBlocks, vggBn } from './__fixtures__/models';
import { recalibrateBatchNorm } from './recalibrate-batch-norm';

const L = tfl.layers;

function sample(shape: number[], seed: number, scale = 1, shift = 0): tf.Tensor {
  const normal = seededNormal(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(
    Float32Array.from({ length: n }, () => shift + scale * normal()),
    shape,
  );
}

/** Input -> BatchNorm -> Dense: the BN sees the inputs themselves, so its statistics can be computed by hand. */
function bnFirst(): tfl.LayersModel {
  return tfl.sequential({
    layers: [L.batchNormalization({ inputShape: [3], name: 'bn' }), L.dense({ units: 2, name: 'out' })],
  });
}

function values(model: tfl.LayersModel, layer: string): number[][] {
  return model
    .getLayer(layer)
    .getWeights()
    .map((w) => Array.from(w.dataSync()));
}

/** Largest difference of two tensors relative to the largest magnitude of `b`. */
function maxRelDiff(a: tf.Tensor, b: tf.Tensor): number {
  return maxRelativeDifference(a.dataSync(), b.dataSync());
}

describeBackends('recalibrateBatchNorm', () => {
  it('sets the moving statistics to the size-weighted average of the batch statistics (last batch merged, never of one sample)', async () => {
    for (const [n, batchSize, sizes] of [
      [50, 16, [16, 16, 16, 2]],
      [49, 16, [16, 16, 17]],
      [20, 128, [20]],
    ] as const) {
      const model = bnFirst();
      const x = sample([n, 3], n, 2, 5);
      const rows = Array.from({ length: n }, (_, i) => Array.from(x.dataSync().slice(3 * i, 3 * i + 3)));
      const gammaBefore = values(model, 'bn')[0];
      const names = await recalibrateBatchNorm(model, x, { batchSize });
      expect(names).toEqual(['bn']);
      const [gamma, beta, mean, variance] = values(model, 'bn') as number[][];
      expect(gamma).toEqual(gammaBefore);
      expect(beta).toEqual([0, 0, 0]);
      for (let c = 0; c < 3; c++) {
        let start = 0;
        let m = 0;
        let v = 0;
        for (const size of sizes) {
          const col = rows.slice(start, start + size).map((r) => r[c] as number);
          const bm = col.reduce((a, b) => a + b, 0) / size;
          m += (size / n) * bm;
          v += (size / n) * (col.reduce((a, b) => a + (b - bm) ** 2, 0) / size);
          start += size;
        }
        expect(mean![c]).toBeCloseTo(m, 4);
        expect(variance![c]).toBeCloseTo(v, 4);
      }
      expect((model.getLayer('bn').getConfig() as { momentum: number }).momentum).toBe(0.99);
      x.dispose();
      model.dispose();
    }
  });

  it('in one batch, inference afterwards computes what a training-mode pass computes (residual net, stale statistics)', async () => {
    const model = resnetBlocks();
    randomizeWeights(model, 3); // moving statistics unrelated to the activations: inference is off
    const x = sample([24, 8, 8, 3], 4);
    const training = tf.tidy(() => model.apply(x, { training: true }) as tf.Tensor);
    const stale = model.predict(x) as tf.Tensor;
    expect(maxRelDiff(training, stale)).toBeGreaterThan(0.05);
    const names = await expectNoLeaks(() => recalibrateBatchNorm(model, x, { batchSize: 64 }));
    expect(names).toHaveLength(model.layers.filter((l) => l.getClassName() === 'BatchNormalization').length);
    const recalibrated = model.predict(x) as tf.Tensor;
    expect(maxRelDiff(training, recalibrated)).toBeLessThan(1e-3);
    tf.dispose([x, training, stale, recalibrated]);
    disposeFully(model);
  });

  it('reaches BatchNorms inside a nested model and leaves every other weight alone', async () => {
    const inner = tfl.sequential({
      name: 'inner',
      layers: [
        L.conv2d({ inputShape: [8, 8, 3], filters: 4, kernelSize: 3, padding: 'same', name: 'c' }),
        L.batchNormalization({ name: 'inner_bn' }),
      ],
    });
    const input = tfl.input({ shape: [8, 8, 3] });
    const h = L.flatten().apply(inner.apply(input)) as tfl.SymbolicTensor;
    const model = tfl.model({
      inputs: input,
      outputs: L.dense({ units: 3, name: 'head' }).apply(h) as tfl.SymbolicTensor,
    });
    randomizeWeights(model, 5);
    const x = sample([16, 8, 8, 3], 6);
    const want = tf.tidy(() => inner.apply(x, { training: true }) as tf.Tensor);
    const conv = values(inner, 'c');
    const head = values(model, 'head');
    expect(await recalibrateBatchNorm(model, x)).toEqual(['inner_bn']);
    const got = inner.predict(x) as tf.Tensor;
    expect(maxRelDiff(want, got)).toBeLessThan(1e-3);
    expect(values(inner, 'c')).toEqual(conv);
    expect(values(model, 'head')).toEqual(head);
    tf.dispose([x, want, got]);
    model.dispose();
  });

  it('returns [] for a model without BatchNormalization and changes nothing', async () => {
    const model = tfl.sequential({ layers: [L.dense({ inputShape: [3], units: 2 })] });
    const before = model.getWeights().map((w) => Array.from(w.dataSync()));
    const x = sample([8, 3], 1);
    expect(await expectNoLeaks(() => recalibrateBatchNorm(model, x))).toEqual([]);
    expect(model.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(before);
    x.dispose();
    model.dispose();
  });

  it('rejects bad arguments with errors that name them, and restores the statistics when the inputs hold NaN', async () => {
    const model = vggBn();
    randomizeWeights(model, 7);
    const x = sample([8, 8, 8, 3], 8);
    await expect(recalibrateBatchNorm(model, [x, x])).rejects.toThrow(
      /inputs must be one tensor.*got an array of 2/,
    );
    const wrong = sample([8, 8, 8, 2], 9);
    await expect(recalibrateBatchNorm(model, wrong)).rejects.toThrow(
      /inputs\[0\] must have shape \[n, 8, 8, 3\].*got \[8, 8, 8, 2\]/,
    );
    const one = sample([1, 8, 8, 3], 9);
    await expect(recalibrateBatchNorm(model, one)).rejects.toThrow(/n >= 2/);
    for (const batchSize of [1, 2.5, '8' as unknown as number]) {
      await expect(recalibrateBatchNorm(model, x, { batchSize })).rejects.toThrow(
        /options\.batchSize must be an integer >= 2 .*, got (1|2\.5|"8")\./,
      );
    }
    await expect(recalibrateBatchNorm({} as tfl.LayersModel, x)).rejects.toThrow(
      /model must be a tfjs-layers LayersModel/,
    );
    const before = model.getWeights().map((w) => Array.from(w.dataSync()));
    const data = Float32Array.from(x.dataSync());
    data[5] = Number.NaN;
    const nan = tf.tensor(data, x.shape);
    await expect(
      expectNoLeaks(() => recalibrateBatchNorm(model, nan, { batchSize: 4 }).catch((e: Error) => e.message)),
    ).resolves.toMatch(/statistics recomputed for layer '.+' are not finite.*restored/);
    expect(model.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(before);
    tf.dispose([x, wrong, one, nan]);
    model.dispose();
  });
});
