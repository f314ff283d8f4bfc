import { describe, expect, it } from 'vitest';
import { meanStd, type RunRecord, summarize } from './stats';

function record(over: Partial<RunRecord>): RunRecord {
  return {
    method: 'wgsef-prox',
    seed: 1,
    sparsity: 0.5,
    accuracyTrained: 0.8,
    accuracyExactK: 0.8,
    accuracyFineTuned: 0.85,
    sparsityBeforeExactK: 0.4,
    sparsityAfterExactK: 0.5,
    groups: 570,
    params: 1000,
    macs: 5000,
    pruneMaxDifference: 0,
    trainSeconds: 10,
    ...over,
  };
}

describe('meanStd', () => {
  it('computes the mean and the sample standard deviation', () => {
    const m = meanStd([2, 4, 4, 4, 5, 5, 7, 9]);
    expect(m.mean).toBe(5);
    expect(m.std).toBeCloseTo(Math.sqrt(32 / 7), 12);
    expect(m.n).toBe(8);
  });

  it('has zero spread for one value and rejects empty or non-finite input', () => {
    expect(meanStd([0.9])).toEqual({ mean: 0.9, std: 0, n: 1 });
    expect(() => meanStd([])).toThrow(/empty list/);
    expect(() => meanStd([1, Number.NaN])).toThrow(/finite/);
  });
});

describe('summarize', () => {
  it('groups by sparsity and method, dense first, methods in first-seen order', () => {
    const rows = summarize([
      record({ method: 'magnitude', sparsity: 0.7, seed: 1, accuracyExactK: 0.6 }),
      record({ method: 'magnitude', sparsity: 0.7, seed: 2, accuracyExactK: 0.8 }),
      record({ method: 'wgsef-prox', sparsity: 0.5, seed: 1 }),
      record({ method: 'dense', sparsity: null, seed: 1, accuracyFineTuned: 0.9 }),
      record({ method: 'wgsef-prox', sparsity: 0.7, seed: 1 }),
      record({ method: 'dense', sparsity: null, seed: 2, accuracyFineTuned: 0.8 }),
    ]);
    expect(rows.map((r) => `${r.sparsity}:${r.method}`)).toEqual([
      'null:dense',
      '0.5:wgsef-prox',
      '0.7:magnitude',
      '0.7:wgsef-prox',
    ]);
    const mag = rows[2];
    expect(mag?.seeds).toEqual([1, 2]);
    expect(mag?.accuracyExactK.mean).toBeCloseTo(0.7, 12);
    expect(mag?.accuracyExactK.std).toBeCloseTo(Math.SQRT2 * 0.1, 12);
    expect(rows[0]?.accuracyFineTuned?.mean).toBeCloseTo(0.85, 12);
  });

  it('reports no fine-tuned accuracy when a run has none', () => {
    const rows = summarize([record({ accuracyFineTuned: null }), record({ seed: 2 })]);
    expect(rows[0]?.accuracyFineTuned).toBeNull();
  });

  it('refuses seeds that disagree on the pruned size', () => {
    expect(() => summarize([record({}), record({ seed: 2, params: 999 })])).toThrow(/different pruned sizes/);
  });
});
