import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describeBackends, expectNoLeaks } from '@klevel/test-utils';
import { expect, it } from 'vitest';
import { mlp, randomizeWeights, twoOutput } from './__fixtures__/models';
import { compareModels, randomInputs } from './equivalence';

describeBackends('compareModels / randomInputs', () => {
  it('builds inputs for every model input: batch, fixed batch, ids for Embedding, int32 dtype', () => {
    const model = twoOutput();
    const xs = randomInputs(model, { batchSize: 3 });
    expect(xs.map((x) => x.shape)).toEqual([
      [3, 6, 6, 2],
      [3, 5],
    ]);
    tf.dispose(xs);
    const ids = tfl.input({ shape: [4], dtype: 'int32' });
    const emb = tfl.model({
      inputs: ids,
      outputs: tfl.layers.embedding({ inputDim: 7, outputDim: 2 }).apply(ids) as tfl.SymbolicTensor,
    });
    const [x] = randomInputs(emb, { batchSize: 50 });
    expect(x!.dtype).toBe('int32');
    const values = Array.from(x!.dataSync());
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThanOrEqual(6);
    expect(new Set(values).size).toBe(7);
    x!.dispose();
    const fixed = tfl.sequential({ layers: [tfl.layers.dense({ batchInputShape: [2, 3], units: 1 })] });
    const [y] = randomInputs(fixed);
    expect(y!.shape).toEqual([2, 3]);
    y!.dispose();
    for (const m of [model, emb, fixed]) m.dispose();
  });

  it('measures 0 for a model against itself, > 0 against a different one, and adds user samples', async () => {
    const a = mlp();
    const b = mlp();
    randomizeWeights(a, 1);
    randomizeWeights(b, 2);
    await expectNoLeaks(() => {
      expect(compareModels(a, a)).toEqual({ maxRelativeDifference: 0, maxAbsoluteDifference: 0, samples: 4 });
      expect(compareModels(a, b).maxRelativeDifference).toBeGreaterThan(1e-3);
    });
    const samples = tf.ones([5, 10]);
    expect(compareModels(a, a, { samples }).samples).toBe(9);
    expect(() => compareModels(a, a, { samples: [samples, samples] })).toThrow(
      /one tensor per model input \(1\), got 2/,
    );
    samples.dispose();
    a.dispose();
    b.dispose();
  });
});
