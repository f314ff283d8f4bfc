/**
 * docs/guides/bad-input.md quotes the messages a diverged training run and a bad learning rate get: this test
 * makes each mistake and checks that the page quotes the message word for word.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { proxCallback } from '@klevel/prox-callback';
import { describeBackends } from '@klevel/test-utils';
import { wgsef } from '@klevel/wgsef';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import { smallModel } from './__fixtures__/small-model';
import { hspg } from './hspg-optimizer';

const page = readFileSync(
  join(dirname(fileURLToPath(import.meta.url)), '../../../docs/guides/bad-input.md'),
  'utf8',
);

/** 8 samples; with `nan`, one input is NaN (as from a broken input pipeline). */
function data(nan = true): [tf.Tensor, tf.Tensor] {
  const values = Array.from({ length: 32 }, (_, i) => (nan && i === 9 ? Number.NaN : Math.sin(i + 1)));
  return [tf.tensor2d(values, [8, 4]), tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1], 'int32'), 3)];
}

/** Sets the first entry of the hidden layer's kernel to NaN (a model that diverged before this fit). */
function poison(model: tfl.LayersModel): void {
  const [kernel, bias] = model.getLayer('hidden').getWeights() as [tf.Tensor, tf.Tensor];
  const values = kernel.dataSync().slice();
  values[0] = Number.NaN;
  const bad = tf.tensor(values, kernel.shape);
  model.getLayer('hidden').setWeights([bad, bias]);
  bad.dispose();
}

async function messageOf(action: () => unknown): Promise<string> {
  try {
    await action();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error');
}

const reg = () => wgsef({ groups: 'filters', keep: { count: 2 }, lambda: 1e-2 });

const cases: Array<[string, () => unknown]> = [
  [
    'proxCallback: NaN inputs',
    async () => {
      const [x, y] = data();
      await smallModel().fit(x, y, { epochs: 1, batchSize: 8, callbacks: [proxCallback(reg())] });
    },
  ],
  [
    "proxCallback, gradient: 'subgradient'",
    async () => {
      const r = wgsef({ groups: 'filters', keep: { count: 2 }, lambda: 1e-2, gradient: 'subgradient' });
      const model = smallModel();
      r.attach(model);
      model.compile({ optimizer: 'sgd', loss: r.loss('categoricalCrossentropy') });
      const [x, y] = data();
      await model.fit(x, y, { epochs: 1, batchSize: 8, callbacks: [proxCallback(r)] });
    },
  ],
  [
    'finalize after divergence',
    async () => {
      const r = reg();
      const [x, y] = data();
      await smallModel()
        .fit(x, y, { epochs: 1, batchSize: 8, callbacks: [proxCallback(r)] })
        .catch(() => undefined);
      r.finalize();
    },
  ],
  [
    'HSPG stage 1: NaN inputs',
    async () => {
      const r = reg();
      const opt = hspg({ regularizer: r, learningRate: 0.1, switchAt: { step: 100 } });
      const model = smallModel(opt);
      opt.attach(model);
      const [x, y] = data();
      await model.fit(x, y, { epochs: 1, batchSize: 8 });
    },
  ],
  [
    'HSPG stage 2: NaN gradient',
    async () => {
      const r = reg();
      const opt = hspg({ regularizer: r, learningRate: 0.1 });
      const model = smallModel(opt);
      opt.attach(model);
      const [x, y] = data();
      await model.fit(x, y, { epochs: 1, batchSize: 8 });
    },
  ],
  [
    'HSPG stage 2: NaN weights',
    async () => {
      const r = reg();
      const opt = hspg({ regularizer: r, learningRate: 0.1 });
      const model = smallModel(opt);
      opt.attach(model);
      poison(model);
      const [x, y] = data(false);
      await model.fit(x, y, { epochs: 1, batchSize: 8 });
    },
  ],
  ['hspg({ learningRate: 0 })', () => hspg({ regularizer: reg(), learningRate: 0 })],
  [
    'optimizer.learningRate = -1',
    () => {
      hspg({ regularizer: reg(), learningRate: 0.1 }).learningRate = -1;
    },
  ],
  [
    'an HSPG learning-rate schedule returning -1',
    () => {
      const opt = hspg({ regularizer: reg(), learningRate: (step) => (step < 1 ? 0.1 : -1) });
      (opt as unknown as { incrementIterations(): void }).incrementIterations();
      return opt.learningRate;
    },
  ],
  ['proxCallback(reg, { learningRate: -1 })', () => proxCallback(reg(), { learningRate: -1 })],
  [
    'a proxCallback learning-rate schedule returning NaN',
    async () => {
      const [x, y] = data(false);
      await smallModel().fit(x, y, {
        epochs: 1,
        batchSize: 8,
        callbacks: [proxCallback(reg(), { learningRate: () => Number.NaN })],
      });
    },
  ],
];

describeBackends('docs/guides/bad-input.md quotes the training messages', () => {
  for (const [name, action] of cases) {
    it(name, async () => {
      const message = await messageOf(action);
      expect(page, `add to docs/guides/bad-input.md: \`${message}\``).toContain(`\`${message}\``);
    });
  }
});
