import { describe, expect, it } from 'vitest';
import { summaryInputs } from './__fixtures__/summary-inputs';
import { formatPercent, formatRatio } from './format';
import { buildSummary, goalLines, summaryTable, thin } from './summary';

describe('buildSummary', () => {
  it('collects accuracy, groups, costs and ratios', () => {
    const s = buildSummary(summaryInputs());
    expect(s.accuracy.dropPoints).toBeCloseTo(0.51, 10);
    expect(s.groups.requestedTotal).toBe(114);
    expect(s.groups.keptTotal).toBe(114);
    expect(s.groups.nonzeroBeforeFinalize).toBe(126);
    expect(s.groups.exactK).toBe(true);
    expect(s.groups.sparsity).toBeCloseTo(1 - 114 / 570, 12);
    expect(s.costs.compression).toBeCloseTo(431080 / 18000, 10);
    expect(s.costs.macRatio).toBeCloseTo(2293000 / 140000, 10);
    expect(s.date).toBe('2026-11-25T12:00:00.000Z');
    expect(s.groups.layers.map((l) => l.layer)).toEqual(['conv1', 'conv2', 'fc1']);
    expect(s.groups.layers.map((l) => l.nonzeroAfterPhase1)).toEqual([6, 17, 130]);
    const without = buildSummary(summaryInputs({ nonzeroAfterPhase1: undefined }));
    expect(without.groups.layers[0]?.nonzeroAfterPhase1).toBeNull();
  });

  it('turns the prox history into fractional epochs with phases and the finalize point', () => {
    const s = buildSummary(summaryInputs());
    const h = s.sparsityHistory;
    expect(h).toHaveLength(41);
    expect(h[0]).toMatchObject({ epoch: 0.1, phase: 'wgsef' });
    expect(h[30]).toMatchObject({ epoch: 3.1, phase: 'hspg' });
    expect(h[40]).toMatchObject({ epoch: 4, phase: 'finalize', layers: { conv1: 4, conv2: 10, fc1: 100 } });
  });

  it('judges the goals from the measurements', () => {
    const ok = buildSummary(summaryInputs());
    // exact k, equivalence, dense >= 85%, equal epochs, within 1 point, latency efficiency
    expect(ok.goals.map((g) => g.met)).toEqual([true, true, true, true, true, false]);
    const bad = buildSummary(
      summaryInputs({
        kept: { conv1: 4, conv2: 8, fc1: 100 },
        accuracy: { dense: 0.84, prunedBeforeFineTune: 0.8, pruned: 0.8 },
        epochs: { dense: 8, prox: 3, hspg: 3, finetune: 3 },
        equivalence: { maxRelativeDifference: 1e-2, tolerance: 1e-4, samples: 4 },
      }),
    );
    expect(bad.groups.exactK).toBe(false);
    expect(bad.goals.map((g) => g.met)).toEqual([false, false, false, false, false, false]);
    expect(goalLines(bad)[0]).toMatch(/^\[ \] requested k met exactly.*conv2 8\/10/);
    expect(goalLines(ok)[4]).toMatch(/^\[x\] pruned accuracy within 1 point/);
  });

  it('counts a pruned width that differs from k as not exact', () => {
    const s = buildSummary(summaryInputs({ prunedWidths: { conv1: 8, conv2: 10, fc1: 100 } }));
    expect(s.groups.exactK).toBe(false);
  });
});

describe('summaryTable', () => {
  it('prints accuracy, groups per layer, params, MACs and latency rows', () => {
    const table = summaryTable(buildSummary(summaryInputs()));
    expect(table).toContain('88.12%');
    expect(table).toContain('87.61%');
    expect(table).toContain('-0.51 pt');
    expect(table).toMatch(
      /groups conv2 \(kept \/ requested\)\s*│\s*50 │\s*10 \/ 10 │\s*17 nonzero after WGSEF, 12 before finalize/,
    );
    expect(table).toContain('431,080');
    expect(table).toContain('18,000');
    expect(table).toContain('23.95x smaller');
    expect(table).toContain('16.38x fewer');
    expect(table).toMatch(/latency wasm batch 64 \(median ms, noisy\)/);
    expect(table).toContain('11.00x speedup vs 16.40x MAC ratio (eff. 0.67)');
  });
});

describe('summaryTable and the fine-tune', () => {
  it('shows the pruned accuracy before its fine-tune', () => {
    expect(summaryTable(buildSummary(summaryInputs()))).toMatch(
      /pruned, before its fine-tune\s*│\s*│\s*83\.65%/,
    );
  });
});

describe('summary of the exact-k cut and of lambda', () => {
  it('keeps the accuracy before finalize and the per-layer lambdas, and prints both', () => {
    const s = buildSummary({
      ...summaryInputs(),
      accuracy: { dense: 0.88, prunedBeforeFineTune: 0.8, pruned: 0.86, sparseBeforeFinalize: 0.83 },
      lambda: {
        mode: 'auto',
        first: { conv1: 1e-4 },
        peak: { conv1: 3e-4 },
        atSwitch: { conv1: 3e-4 },
        last: { conv1: 2e-4 },
      },
    });
    expect(s.accuracy.sparseBeforeFinalize).toBe(0.83);
    expect(s.lambda?.last).toEqual({ conv1: 2e-4 });
    const t = summaryTable(s);
    expect(t).toMatch(/sparse, before the exact-k finalize.*83\.00%.*cut: -3\.00 pt/);
    expect(t).toMatch(/lambda conv1 \(auto: first \/ peak \/ last\).*1\.0e-4 \/ 3\.0e-4 \/ 2\.0e-4/);
  });

  it('is null for both when the pipeline did not measure them', () => {
    const s = buildSummary(summaryInputs());
    expect(s.accuracy.sparseBeforeFinalize).toBeNull();
    expect(s.lambda).toBeNull();
    expect(summaryTable(s)).not.toMatch(/exact-k finalize|lambda conv1/);
  });
});

describe('helpers', () => {
  it('thin keeps the ends and evenly spaced points', () => {
    const xs = Array.from({ length: 101 }, (_, i) => i);
    expect(thin(xs, 5)).toEqual([0, 25, 50, 75, 100]);
    expect(thin([1, 2, 3], 5)).toEqual([1, 2, 3]);
  });

  it('formats percentages and ratios', () => {
    expect(formatPercent(0.87654)).toBe('87.65%');
    expect(formatRatio(3.456)).toBe('3.46x');
    expect(formatRatio(null)).toBe('-');
    expect(formatRatio(Number.POSITIVE_INFINITY)).toBe('-');
  });
});
