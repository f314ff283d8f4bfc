import { describe, expect, it } from 'vitest';
import { mergeResults } from './merge';
import { DEFAULT_PAPER_OPTIONS } from './options';
import type { PaperResults } from './render';
import { type RunRecord, summarize } from './stats';

function part(
  seed: number,
  start: string,
  end: string,
  over: Partial<PaperResults['options']> = {},
): PaperResults {
  const runs: RunRecord[] = [
    {
      method: 'magnitude',
      seed,
      sparsity: 0.5,
      accuracyTrained: 0.8,
      accuracyExactK: 0.7 + seed / 100,
      accuracyFineTuned: 0.8,
      sparsityBeforeExactK: 0,
      sparsityAfterExactK: 0.5,
      groups: 570,
      params: 100,
      macs: 1000,
      pruneMaxDifference: 0,
      trainSeconds: 5,
    },
  ];
  return {
    command: `npm run bench:paper -- --seeds ${seed}`,
    startedAt: start,
    finishedAt: end,
    wallSeconds: (Date.parse(end) - Date.parse(start)) / 1000,
    machine: {
      cpuModel: 'AMD EPYC',
      cores: 2,
      memoryGiB: 24,
      node: 'v20',
      platform: 'Linux',
      tfjsBackend: 'wasm',
      tfjsVersion: '4.22.0',
      loadAverage: { start: seed, end: 10 + seed },
    },
    options: { ...DEFAULT_PAPER_OPTIONS, seeds: [seed], ...over },
    data: { source: 'full', train: 1500, test: 2000 },
    dense: { params: 431080, macs: 2293000 },
    runs,
    summary: summarize(runs),
    latency: [],
    notes: ['note'],
  };
}

describe('mergeResults', () => {
  it('concatenates the seeds, re-aggregates and spans the dates', () => {
    const m = mergeResults([
      part(2, '2026-11-25T14:01:00.000Z', '2026-11-25T14:50:00.000Z'),
      part(1, '2026-11-25T14:00:00.000Z', '2026-11-25T14:40:00.000Z'),
    ]);
    expect(m.options.seeds).toEqual([1, 2]);
    expect(m.runs).toHaveLength(2);
    expect(m.summary[0]?.accuracyExactK.mean).toBeCloseTo(0.715, 12);
    expect(m.summary[0]?.accuracyExactK.n).toBe(2);
    expect(m.startedAt).toBe('2026-11-25T14:00:00.000Z');
    expect(m.finishedAt).toBe('2026-11-25T14:50:00.000Z');
    expect(m.wallSeconds).toBe(3000);
    expect(m.machine.loadAverage).toEqual({ start: 1, end: 12 });
    expect(m.notes).toEqual(['note']);
    expect(m.command).toContain('--seeds 2 ; npm run bench:paper -- --seeds 1');
  });

  it('refuses parts with different settings or shared seeds', () => {
    const a = part(1, '2026-11-25T14:00:00.000Z', '2026-11-25T14:10:00.000Z');
    expect(() => mergeResults([a, part(2, a.startedAt, a.finishedAt, { lambdaWgsef: 1 })])).toThrow(
      /lambdaWgsef/,
    );
    expect(() => mergeResults([a, part(1, a.startedAt, a.finishedAt)])).toThrow(/share seeds/);
    expect(() => mergeResults([])).toThrow(/at least one/);
  });
});
