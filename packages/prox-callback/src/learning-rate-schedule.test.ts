import {
  denseModel,
  describeBackends,
  expectNoLeaks,
  onTestBackendReady,
  seededBatch,
} from '@klevel/test-utils';
import { registerTrainingKernels } from '@klevel/wasm-train';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { cosineDecay, learningRateScheduler, stepDecay } from './learning-rate-schedule';

onTestBackendReady((backend) => {
  registerTrainingKernels(backend);
});

describe('schedules', () => {
  it('cosine decays from initial to final over the steps', () => {
    const s = cosineDecay({ initial: 0.1, final: 0.01, steps: 11 });
    expect(s(0, 0)).toBeCloseTo(0.1, 12);
    expect(s(5, 0)).toBeCloseTo(0.055, 12);
    expect(s(10, 0)).toBeCloseTo(0.01, 12);
    expect(s(50, 0)).toBeCloseTo(0.01, 12);
    expect(cosineDecay({ initial: 1 })(3, 4)).toBeCloseTo(0, 12);
  });

  it('step decay multiplies by factor every n steps', () => {
    const s = stepDecay({ initial: 0.1, factor: 0.5, every: 10 });
    expect([s(0, 0), s(9, 0), s(10, 0), s(25, 0)]).toEqual([0.1, 0.1, 0.05, 0.025]);
  });

  it('rejects bad options naming them', () => {
    expect(() => cosineDecay({ initial: -1 })).toThrow(
      /cosineDecay: initial must be a finite number > 0, got -1/,
    );
    expect(() => stepDecay({ initial: 1, factor: 0.5, every: 0 })).toThrow(/stepDecay: every/);
    expect(() => learningRateScheduler(0.1 as never)).toThrow(/expected a schedule function/);
  });
});

describeBackends('learningRateScheduler', () => {
  it('sets the optimizer learning rate every batch over the fit steps, without leaking', async () => {
    const model = denseModel(1);
    const optimizer = tf.train.sgd(1);
    model.compile({ optimizer, loss: 'categoricalCrossentropy' });
    const { x: xs, y: ys } = seededBatch(8, [5], 3, 3);
    const seen: number[] = [];
    const sched = learningRateScheduler(cosineDecay({ initial: 0.1, final: 0.001 }));
    await expectNoLeaks(async () => {
      await model.fit(xs, ys, {
        epochs: 2,
        batchSize: 4,
        shuffle: false,
        verbose: 0,
        callbacks: [
          sched,
          new tfl.CustomCallback({
            onBatchEnd: async () => {
              seen.push((optimizer as unknown as { learningRate: number }).learningRate);
            },
          }),
        ],
      });
    });
    expect(seen).toHaveLength(4);
    expect(seen[0]).toBeCloseTo(0.1, 9);
    expect(seen[3]).toBeCloseTo(0.001, 9);
    expect(sched.step).toBe(4);
    tf.dispose([xs, ys]);
    model.dispose();
    optimizer.dispose();
  });
});
