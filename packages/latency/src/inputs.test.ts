import { useTestBackend } from '@klevel/test-utils';
import { mlp } from '@klevel/zoo';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { inferInputShapes } from './inputs';

describe('inferInputShapes', () => {
  beforeAll(() => useTestBackend('cpu'));

  it('infers per-sample shapes, and accepts a matching override', () => {
    const model = mlp({ inputShape: [5] });
    expect(inferInputShapes(model, 'm')).toEqual([[5]]);
    expect(inferInputShapes(model, 'm', [5])).toEqual([[5]]);
    model.dispose();
  });

  it('fills unknown dims from the override and refuses to guess without one', () => {
    const input = tfl.input({ shape: [null, 3] as unknown as number[] });
    const output = tfl.layers.dense({ units: 2 }).apply(input) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: output });
    expect(() => inferInputShapes(model, 'seq')).toThrow(
      /model 'seq' input 0 has unknown dims \[\?, 3\]; pass options.inputShape/,
    );
    expect(inferInputShapes(model, 'seq', [7, 3])).toEqual([[7, 3]]);
    expect(() => inferInputShapes(model, 'seq', [7, 4])).toThrow(
      /inputShape \[7, 4\] does not match model 'seq' input shape \[\?, 3\]/,
    );
    expect(() => inferInputShapes(model, 'seq', [0, 3])).toThrow(/must be positive integers/);
    model.dispose();
  });
});
