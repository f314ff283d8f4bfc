/** benchmarkLatency(path) on checkpoints saved with their optimizer state: nothing of it may stay behind. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { saveModel } from '@klevel/groups/node';
import { describeBackends } from '@klevel/test-utils';
import { lenet5 } from '@klevel/zoo';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, expect, it } from 'vitest';
import { benchmarkLatency } from './node';

const root = mkdtempSync(join(tmpdir(), 'klevel-lat-ckpt-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

// cpu only: a Conv2D fit needs the training kernels (wasm) or the cpu backend; the leak is backend-independent.
describeBackends(
  'benchmarkLatency on a checkpoint saved with its optimizer',
  (backend) => {
    it('leaves tf.memory().numTensors unchanged, call after call', async () => {
      const model = lenet5({ seed: 3, filters: [2, 4], units: [8, 8] });
      model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
      const x = tf.randomUniform([4, 28, 28, 1], 0, 1, 'float32', 1);
      const y = tf.oneHot(tf.tensor1d([0, 1, 2, 3], 'int32'), 10);
      await model.fit(x, y, { epochs: 1, batchSize: 4, verbose: 0 });
      const dir = join(root, `adam-${backend}`);
      await saveModel(model, dir, { includeOptimizer: true });
      tf.dispose([x, y]);
      model.optimizer.dispose();
      model.dispose();

      const options = { backends: [backend], runs: 1, warmupRuns: 0 };
      const before = tf.memory().numTensors;
      for (let call = 1; call <= 2; call++) {
        await benchmarkLatency([dir], options);
        expect(tf.memory().numTensors - before, `after call ${call}`).toBe(0);
      }
    });
  },
  ['cpu'],
);
