/**
 * HSPG does not fail silently: a diverged model stops fit (naming the layer), checkpoints leak no tensors,
 * and a bad learning rate set on the optimizer is refused.
 */
import { describeBackends } from '@klevel/test-utils';
import { wgsef } from '@klevel/wgsef';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { smallModel } from './__fixtures__/small-model';
import { hspg } from './hspg-optimizer';

function data(withNaN: boolean): { x: tf.Tensor; y: tf.Tensor } {
  const values = Array.from({ length: 32 }, (_, i) => Math.sin(i + 1));
  if (withNaN) values[9] = Number.NaN;
  return { x: tf.tensor2d(values, [8, 4]), y: tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1], 'int32'), 3) };
}

describeBackends('HSPG on a diverged model', () => {
  it('stage 1 (prox-SGD): NaN weights stop fit with an error naming the layer', async () => {
    const reg = wgsef({ groups: 'filters', keep: { count: 2 }, lambda: 1e-2 });
    const opt = hspg({ regularizer: reg, learningRate: 0.1, switchAt: { step: 100 } });
    const model = smallModel(opt);
    opt.attach(model);
    const { x, y } = data(true);
    await expect(model.fit(x, y, { epochs: 2, batchSize: 8 })).rejects.toThrow(
      /layer 'hidden' are not finite \(NaN or Infinity\) at step 0: training diverged/,
    );
    expect(() => reg.finalize()).toThrow(/not finite/);
    tf.dispose([x, y]);
  });

  it('stage 2 (half-space): a NaN gradient stops fit before the step is applied', async () => {
    const reg = wgsef({ groups: 'filters', keep: { count: 2 }, lambda: 1e-2 });
    const opt = hspg({ regularizer: reg, learningRate: 0.1 });
    const model = smallModel(opt);
    opt.attach(model);
    const { x, y } = data(true);
    await expect(model.fit(x, y, { epochs: 2, batchSize: 8 })).rejects.toThrow(
      /HspgOptimizer: the gradient of the regularized weights of layer 'hidden' is not finite \(NaN or Infinity\) at step 0: .*the step was not applied/,
    );
    // the weights are untouched, so the model can still be finalized
    expect(reg.finalize().nonzeroAfter).toBe(2);
    tf.dispose([x, y]);
  });
});

describeBackends('HSPG checkpoints', () => {
  it('a save with includeOptimizer leaks no tensors (stock tfjs optimizers leak 1 per save)', async () => {
    const reg = wgsef({ groups: 'filters', keep: { count: 2 }, lambda: 1e-2 });
    const opt = hspg({ regularizer: reg, learningRate: 0.05, momentum: 0.9, switchAt: { step: 2 } });
    const model = smallModel(opt);
    opt.attach(model);
    const { x, y } = data(false);
    await model.fit(x, y, { epochs: 2, batchSize: 4 });
    const handler = tf.io.withSaveHandler(async () => ({
      modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' as const },
    }));
    await model.save(handler, { includeOptimizer: true }); // first save creates the saved scalars once
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      await model.fit(x, y, { epochs: 1, batchSize: 4 });
      await model.save(handler, { includeOptimizer: true });
    }
    expect(tf.memory().numTensors - before).toBe(0);
    tf.dispose([x, y]);
  });
});

describe('HspgOptimizer.learningRate', () => {
  const reg = wgsef({ groups: 'filters', keep: { count: 1 }, lambda: 0.1 });
  it('refuses a value that is not a finite number > 0', () => {
    const opt = hspg({ regularizer: reg, learningRate: 0.1 });
    for (const bad of [-1, 0, Number.NaN, Number.POSITIVE_INFINITY, '0.1' as unknown as number]) {
      expect(() => {
        opt.learningRate = bad;
      }).toThrow(
        /HspgOptimizer: learningRate must be a finite number > 0 or a function \(step\) => number, got/,
      );
    }
    expect(opt.learningRate).toBe(0.1);
    opt.learningRate = 0.02;
    expect(opt.learningRate).toBe(0.02);
  });

  it('takes a schedule (step) => number, checked when it is read', () => {
    const opt = hspg({ regularizer: reg, learningRate: (step) => (step < 1 ? 0.1 : -1) });
    expect(opt.learningRate).toBe(0.1);
    (opt as unknown as { incrementIterations(): void }).incrementIterations();
    expect(() => opt.learningRate).toThrow(
      /HspgOptimizer: the learningRate schedule returned -1 at step 1; it must return a finite number > 0\./,
    );
  });
});
