import { describe, expect, it } from 'vitest';
import { summarize } from '../stats';
import type { LatencyReport, LatencyResult } from '../types';
import { toHtml } from './html';
import { toMarkdown } from './markdown';
import { toTerminalTable } from './terminal';

function result(
  model: string,
  batchSize: number,
  times: number[],
  macs: number | null,
  base?: LatencyResult,
) {
  const stats = summarize(times);
  const r: LatencyResult = {
    model,
    backend: 'wasm',
    batchSize,
    backendReason: 'test',
    ...stats,
    timesMs: times,
    throughput: (batchSize * 1000) / stats.median,
    params: 10,
    macs,
    macsPerBatch: macs === null ? null : macs * batchSize,
    memory: { peakBytes: 2048, newBytes: 1024, numTensors: 3, numBytes: 4096 },
    speedup: base ? base.median / stats.median : 1,
    pairedSpeedup: 1,
    macRatio: base && base.macs !== null && macs !== null ? base.macs / macs : base ? null : 1,
    efficiency: null,
    spread: (stats.max - stats.min) / stats.median,
    noisy: (stats.max - stats.min) / stats.median > 0.5,
  };
  if (r.macRatio !== null) r.efficiency = r.speedup / r.macRatio;
  return r;
}

function report(results: LatencyResult[], models: LatencyReport['models']): LatencyReport {
  return {
    date: '2026-01-01T00:00:00.000Z',
    environment: {
      node: 'v20',
      platform: 'linux',
      arch: 'x64',
      cpus: 2,
      cpuModel: 'cpu',
      tfjs: '4.22.0',
      loadAverage: { start: 1, end: 2 },
    },
    settings: {
      batchSizes: [1, 8],
      backends: ['wasm'],
      warmupRuns: 1,
      runs: 3,
      timeBudgetMs: null,
      noiseThreshold: 0.5,
      clock: 'wall',
      interleaved: true,
    },
    models,
    results,
  };
}

describe('report renderers', () => {
  const a1 = result('dense <a>', 1, [1, 1.1, 1.2], 1000);
  const b1 = result('pruned', 1, [0.5, 0.6, 2], 250, a1);
  const a8 = result('dense <a>', 8, [4, 4.1, 4.2], 1000);
  const b8 = result('pruned', 8, [1.5, 1.6, 1.7], 250, a8);
  const rep = report(
    [a1, b1, a8, b8],
    [
      { name: 'dense <a>', path: null, params: 10, macs: 1000, inputShapes: [[4]] },
      { name: 'pruned', path: '/x/model.json', params: 10, macs: 250, inputShapes: [[4]] },
    ],
  );

  it('Markdown: one row per result, noisy rows marked and explained', () => {
    const md = toMarkdown(rep, { title: 'T', command: 'klevel-latency a b' });
    expect(md.split('\n').filter((l) => l.startsWith('| wasm |'))).toHaveLength(4);
    expect(md).toMatch(/\| wasm \| 1 \| pruned ⚠ \| 0.600 \|/);
    expect(md).toMatch(/⚠ noisy: 1 result\(s\).*pruned b1 wasm: 250%/);
    expect(md).toMatch(/\| 2.56x \| 1.00x \| 4.00x \| 0.64 \|/);
  });

  it('HTML: escapes names, draws three charts, handles missing MACs and a single model', () => {
    const html = toHtml(rep);
    expect(html).toContain('dense &lt;a&gt;');
    expect(html).not.toContain('dense <a>');
    expect(html.match(/<svg /g)).toHaveLength(3);
    const one = report(
      [result('solo', 1, [1, 2, 3], null)],
      [
        {
          name: 'solo',
          path: null,
          params: 1,
          macs: null,
          macsError: 'unknown layer Foo',
          inputShapes: [[1]],
        },
      ],
    );
    const html1 = toHtml(one);
    expect(html1).toMatch(/No MAC counts available/);
    expect(html1).toMatch(/Only one model: no speedup to chart/);
    expect(html1).toMatch(/MACs of <code>solo<\/code> could not be counted: unknown layer Foo/);
    expect(toMarkdown(one)).toMatch(/MACs of `solo` could not be counted: unknown layer Foo/);
  });

  it('terminal table lists every result and marks noisy ones', () => {
    const text = toTerminalTable(rep);
    expect(text.split('\n').filter((l) => l.includes('wasm'))).toHaveLength(4);
    expect(text).toMatch(/pruned !/);
    expect(text).toMatch(/! noisy/);
  });
});
