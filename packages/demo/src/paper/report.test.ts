import { describe, expect, it } from 'vitest';
import type { RunResult } from './cell';
import type { LatencyRecord, PaperRecord, RecordContext, RunRecord } from './records';
import { coveredGrid, missingCells, renderMarkdown, reportRows, summaryJson } from './report';

const context: RecordContext = {
  command: 'npm run bench:paper -- --resume',
  machine: { cpuModel: 'test cpu', cores: 2, node: 'v20', tfjs: '4.22.0', backend: 'wasm' },
  startedAt: '2026-12-02T06:00:00.000Z',
  finishedAt: '2026-12-02T06:30:00.000Z',
  wallSeconds: 1800,
  loadAverage: [1, 1],
  data: { train: 55000, val: 5000, test: 10000 },
  protocol: {},
};

function result(testAccuracy: number, macs: number, over: Partial<RunResult> = {}): RunResult {
  return {
    valAccuracy: testAccuracy,
    testAccuracy,
    testAccuracyExactK: null,
    sparsityBeforeExactK: null,
    groupSparsity: 0.8,
    exactK: true,
    widths: {},
    params: 1000,
    macs,
    pruneMaxDifference: null,
    trainSeconds: 100,
    trainCpuSeconds: 90,
    epochs: [],
    ...over,
  };
}

function run(
  method: RunRecord['method'],
  sparsity: number,
  seed: number,
  acc: number,
  lambda: number | null = null,
): RunRecord {
  return {
    kind: 'run',
    model: 'lenet5-caffe',
    method,
    sparsity,
    seed,
    lambda,
    key: `${method}|${sparsity}|${seed}|${lambda}`,
    result: result(acc, method === 'dense' ? 2000 : 200),
    context,
  };
}

const latency: LatencyRecord = {
  kind: 'latency',
  key: 'latency',
  model: 'lenet5-caffe',
  sparsity: 0.8,
  batchSize: 64,
  clock: 'cpu',
  runs: 50,
  denseMs: 10,
  prunedMs: 4,
  speedup: 2.5,
  pairedSpeedup: 2.5,
  macRatio: 10,
  noisy: false,
  context,
};

const grid = {
  models: ['lenet5-caffe'] as const,
  methods: ['dense', 'wgsef-hspg', 'scratch'] as const,
  sparsities: [0.8],
  seeds: [0, 1],
  searchSparsity: 0.8,
  searchSeed: 0,
};

describe('the full-scale report', () => {
  const records: PaperRecord[] = [
    run('dense', 0, 0, 0.91),
    run('dense', 0, 1, 0.9),
    run('scratch', 0.8, 0, 0.87),
    run('wgsef-hspg', 0.8, 0, 0.88, 1e-4),
    latency,
  ];

  it('writes one summary row per model x method x level in the external schema', () => {
    const { rows } = summaryJson(
      reportRows(records, { ...grid, methods: [...grid.methods], models: [...grid.models] }),
    );
    expect(rows.map((r) => [r.method, r.sparsity, r.seeds])).toEqual([
      ['dense', 0, 2],
      ['wgsef-hspg', 0.8, 1],
      ['scratch', 0.8, 1],
    ]);
    const dense = rows[0];
    expect(dense).toEqual({
      model: 'lenet5-caffe',
      dataset: 'fashion-mnist',
      trainImages: 55000,
      testImages: 10000,
      epochs: 12,
      seeds: 2,
      method: 'dense',
      sparsity: 0,
      accuracyMean: 0.905,
      accuracyStd: expect.closeTo(Math.sqrt(0.00005), 9),
      macsReduction: 1,
      latencySpeedup: 1,
    });
    expect(rows[1]).toMatchObject({ macsReduction: 10, latencySpeedup: 2.5 });
  });

  it('marks the missing cells and the incomplete lambda search', () => {
    const g = { ...grid, methods: [...grid.methods], models: [...grid.models] };
    const missing = missingCells(records, g);
    expect(missing).toContain('lenet5-caffe · scratch · 80% · seeds 1 missing');
    expect(missing.find((m) => m.includes('wgsef-hspg'))).toMatch(/lambda search incomplete/);
    const md = renderMarkdown(records, g);
    expect(md).toContain('npm run bench:paper -- --resume');
    expect(md).toContain('(search incomplete)');
    expect(md).toContain('## Missing cells');
  });

  it("does not count the BatchNorm 'scales' methods as missing on a model without BatchNorm", () => {
    const g = {
      ...grid,
      models: ['lenet5-caffe', 'vgg-small-bn'] as ('lenet5-caffe' | 'vgg-small-bn')[],
      methods: ['magnitude-scales'] as 'magnitude-scales'[],
    };
    expect(missingCells(records, g)).toEqual(['vgg-small-bn · magnitude-scales · 80% · seeds 0, 1 missing']);
  });

  it('gives a spread only where more than one seed is done', () => {
    const md = renderMarkdown(records, { ...grid, methods: [...grid.methods], models: [...grid.models] });
    expect(md).toMatch(/\| 0% \| dense \(SGD\) \| - \| 90\.50 ± 0\.71 \|/);
    expect(md).toMatch(/\| 80% \| pruned architecture from scratch \| - \| 87\.00 \(1 seed\) \|/);
  });

  it('covers the full grid and everything recorded, whatever slice the run was (a slice never drops rows)', () => {
    const slice = {
      ...grid,
      methods: ['scratch' as const],
      models: [...grid.models],
      sparsities: [0.7],
      seeds: [2],
    };
    const base = {
      ...grid,
      methods: ['dense' as const, 'magnitude' as const],
      models: [...grid.models],
      sparsities: [0.5],
    };
    const covered = coveredGrid(base, slice, records);
    // canonical method order; the levels and seeds of the base, the slice and the records
    expect(covered.methods).toEqual(['dense', 'wgsef-hspg', 'magnitude', 'scratch']);
    expect(covered.sparsities).toEqual([0.5, 0.7, 0.8]);
    expect(covered.seeds).toEqual([0, 1, 2]);
    const rows = reportRows(records, covered);
    expect(rows.map((r) => [r.method, r.sparsity])).toEqual([
      ['dense', 0],
      ['wgsef-hspg', 0.8],
      ['scratch', 0.8],
    ]);
    const missing = missingCells(records, covered);
    expect(missing).toContain('lenet5-caffe · magnitude · 50% · seeds 0, 1, 2 missing');
    expect(missing).toContain('lenet5-caffe · scratch · 70% · seeds 0, 1, 2 missing');
  });
});
