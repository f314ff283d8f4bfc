import { describe, expect, it } from 'vitest';
import { DEFAULT_PAPER_OPTIONS } from './options';
import {
  formatAccuracy,
  formatInt,
  goalChecks,
  type LatencyRecord,
  markdownTable,
  type PaperResults,
  renderResultsMarkdown,
  sparsityTable,
} from './render';
import { type RunRecord, summarize } from './stats';

function run(over: Partial<RunRecord>): RunRecord {
  return {
    method: 'wgsef-prox',
    seed: 1,
    sparsity: 0.8,
    accuracyTrained: 0.85,
    accuracyExactK: 0.84,
    accuracyFineTuned: 0.86,
    sparsityBeforeExactK: 0.75,
    sparsityAfterExactK: 0.8,
    groups: 570,
    params: 43_108,
    macs: 215_500,
    pruneMaxDifference: 0,
    trainSeconds: 10,
    ...over,
  };
}

function results(runs: RunRecord[], latency: LatencyRecord[] = []): PaperResults {
  return {
    command: 'npm run bench:paper -- --seeds 2',
    startedAt: '2026-11-25T14:00:00.000Z',
    finishedAt: '2026-11-25T14:30:00.000Z',
    wallSeconds: 1800,
    machine: {
      cpuModel: 'AMD EPYC',
      cores: 2,
      memoryGiB: 24,
      node: 'v20.20.2',
      platform: 'Linux x64',
      tfjsBackend: 'wasm',
      tfjsVersion: '4.22.0',
      loadAverage: { start: 1.5, end: 2.5 },
    },
    options: { ...DEFAULT_PAPER_OPTIONS, seeds: [1, 2], sparsities: [0.8] },
    data: { source: 'full', train: 3000, test: 2000 },
    dense: { params: 431_080, macs: 2_293_000 },
    runs,
    summary: summarize(runs),
    latency,
    notes: ['Reduced configuration.'],
  };
}

const latency: LatencyRecord = {
  sparsity: 0.8,
  batchSize: 64,
  backend: 'wasm',
  clock: 'wall',
  denseMedianMs: 40,
  prunedMedianMs: 5,
  speedup: 8,
  pairedSpeedup: 7.9,
  macRatio: 10.64,
  efficiency: 8 / 10.64,
  noisy: true,
  runs: 30,
};

describe('formatting', () => {
  it('formats accuracies in percent with the spread, integers with separators', () => {
    expect(formatAccuracy({ mean: 0.8612, std: 0.0049, n: 3 })).toBe('86.12 ± 0.49');
    expect(formatAccuracy(null)).toBe('-');
    expect(formatInt(431080)).toBe('431,080');
    expect(formatInt(12)).toBe('12');
  });

  it('renders a Markdown table and escapes pipes', () => {
    expect(markdownTable(['a', 'b'], [['1', 'x|y']])).toBe('| a | b |\n|---|---|\n| 1 | x\\|y |');
  });
});

describe('sparsityTable', () => {
  it('has the dense reference first, then one row per method with compression, MACs and speedup', () => {
    const runs = [
      run({
        method: 'dense',
        sparsity: null,
        accuracyExactK: 0.87,
        accuracyFineTuned: 0.88,
        params: 431_080,
        macs: 2_293_000,
      }),
      run({ seed: 1 }),
      run({ seed: 2, accuracyExactK: 0.82 }),
      run({ method: 'magnitude', sparsityBeforeExactK: 0 }),
    ];
    const table = sparsityTable(0.8, summarize(runs), { params: 431_080, macs: 2_293_000 }, latency);
    const lines = table.split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[2]).toMatch(
      /^\| dense \(SGD\) \| 87\.00 ± 0\.00 \| 88\.00 ± 0\.00 \| - \| 431,080 \(1\.00x\)/,
    );
    expect(lines[3]).toContain(
      '| WGSEF prox-SGD | 83.00 ± 1.41 | 86.00 ± 0.00 | 75.0% → 80.0% | 43,108 (10.00x) | 215,500 (10.64x) | 8.00x (noisy) |',
    );
    expect(lines[4]).toContain('magnitude (L2) + fine-tune');
    expect(lines[4]).toContain('0.0% → 80.0%');
  });
});

describe('goalChecks and the report', () => {
  const runs = [
    run({ method: 'dense', sparsity: null, accuracyFineTuned: 0.87 }),
    run({ method: 'dense', sparsity: null, seed: 2, accuracyFineTuned: 0.87 }),
    run({ accuracyFineTuned: 0.865 }),
    run({ seed: 2, accuracyFineTuned: 0.865 }),
    run({ method: 'group-lasso-prox', accuracyFineTuned: 0.84 }),
    run({ method: 'group-lasso-prox', seed: 2, accuracyFineTuned: 0.84 }),
  ];

  it('checks (a) the 80% loss, (b) WGSEF vs the best baseline, (c) speedup vs MAC reduction', () => {
    const checks = goalChecks(results(runs, [latency]));
    expect(checks[0]).toMatch(/^\(a\) WGSEF prox-SGD at 80\.0% .*loss 0\.50 points: MET/);
    expect(checks[1]).toMatch(/^\(b\) 80\.0%: .*\+2\.50 points, matches or beats/);
    expect(checks[2]).toMatch(
      /^\(c\) 80\.0% \(wall clock\): speedup 8\.00x .*efficiency 0\.75: NOT MET .*noisy/,
    );
  });

  it('reports a loss above one point as not met', () => {
    const worse = runs.map((r) => (r.method === 'wgsef-prox' ? { ...r, accuracyFineTuned: 0.85 } : r));
    expect(goalChecks(results(worse))[0]).toMatch(/loss 2\.00 points: NOT MET/);
  });

  it('renders command, machine, date, protocol, tables, goals, notes and the discussion', () => {
    const md = renderResultsMarkdown(results(runs, [latency]), 'WGSEF wins here.');
    expect(md).toContain('`npm run bench:paper -- --seeds 2`');
    expect(md).toContain('AMD EPYC, 2 cores');
    expect(md).toContain('2026-11-25T14:00:00.000Z');
    expect(md).toContain('## Protocol');
    expect(md).toContain('### 80.0% of filters and neurons removed');
    expect(md).toContain('## Latency (wasm, batch 64)');
    expect(md).toContain('> Reduced configuration.');
    expect(md).toContain('## Discussion\n\nWGSEF wins here.');
    expect(md).toContain('wall time 30 min 0 s');
  });
});
