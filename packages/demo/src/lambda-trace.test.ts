import type { ProxHistoryEntry } from '@klevel/prox-callback';
import { describe, expect, it } from 'vitest';
import { lambdaTrace } from './lambda-trace';

const entry = (step: number, lambdas: number[] | undefined, finalized = false): ProxHistoryEntry => ({
  step,
  epoch: 0,
  batch: step,
  learningRate: 0.1,
  value: 0,
  nonzero: 0,
  sparsity: 0,
  layers: {},
  ...(lambdas ? { lambdas } : {}),
  ...(finalized ? { finalized } : {}),
});

describe('lambdaTrace', () => {
  const units = [{ name: 'conv1' }, { name: 'fc1' }];

  it('reads the first nonzero value, the peak, the last prox before the switch and the last prox', () => {
    const h = [
      entry(0, [0, 10]),
      entry(1, [2, 20]),
      entry(2, [9, 30]),
      entry(3, [4, 40]),
      entry(4, undefined, true),
    ];
    expect(lambdaTrace(h, units, 2)).toEqual({
      first: { conv1: 2, fc1: 10 },
      peak: { conv1: 9, fc1: 40 },
      atSwitch: { conv1: 2, fc1: 20 },
      last: { conv1: 4, fc1: 40 },
    });
  });

  it('uses the last prox as the switch point when the fit never switched', () => {
    const h = [entry(0, [1, 10]), entry(1, [2, 20])];
    expect(lambdaTrace(h, units, 100)?.atSwitch).toEqual({ conv1: 2, fc1: 20 });
  });

  it('is null when no entry carries lambdas (a history built elsewhere)', () => {
    expect(lambdaTrace([entry(0, undefined)], units, 1)).toBeNull();
    expect(lambdaTrace([], units, 1)).toBeNull();
  });
});
