import { describe, expect, it } from 'vitest';
import { fitBudget } from './fit-plan';

describe('fitBudget', () => {
  it('model.fit: epochs x ceil(samples / batchSize)', () => {
    expect(fitBudget({ epochs: 3, initialEpoch: 0, samples: 1000, steps: null, batchSize: 64 }, 0)).toEqual({
      totalSteps: 48,
      stepsPerEpoch: 16,
      startStep: 0,
    });
  });
  it('fitDataset: steps per epoch given; initialEpoch and the optimizer step are honoured', () => {
    expect(fitBudget({ epochs: 5, initialEpoch: 2, steps: 10, batchSize: 32 }, 20)).toEqual({
      totalSteps: 30,
      stepsPerEpoch: 10,
      startStep: 20,
    });
  });
  it('unknown sizes leave the budget undefined (the plan then asks for targetStep)', () => {
    expect(fitBudget({ epochs: 5 }, 0)).toEqual({ startStep: 0 });
    expect(fitBudget(undefined)).toEqual({ startStep: 0 });
  });
});
