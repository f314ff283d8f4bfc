/** The charts' axis labels stay readable: no two labels overlap, whatever the range of the data. */
import { describe, expect, it } from 'vitest';
import { summarize } from '../stats';
import type { LatencyReport, LatencyResult } from '../types';
import { latencyVsMacsChart, speedupVsIdealChart } from './svg';

/** Width of a label at the reports' 11px sans-serif: about 0.55 em per character (digits, lowercase). */
const width = (text: string) => text.length * 11 * 0.55;

function cellsFor(backends: string[], batches: number[]): LatencyReport {
  const models = [
    { name: 'dense', macs: 2_300_000 },
    { name: 'pruned', macs: 410_000 },
    { name: 'pruned-x8', macs: 520_000 },
  ];
  const results: LatencyResult[] = [];
  for (const backend of backends) {
    for (const batchSize of batches) {
      for (const m of models) {
        const times = [1, 1.1, 1.2].map((t) => (t * m.macs * batchSize) / 1e6);
        const stats = summarize(times);
        results.push({
          model: m.name,
          backend,
          batchSize,
          backendReason: 'test',
          ...stats,
          timesMs: times,
          throughput: (batchSize * 1000) / stats.median,
          params: 10,
          macs: m.macs,
          macsPerBatch: m.macs * batchSize,
          memory: { peakBytes: 1, newBytes: 1, numTensors: 1, numBytes: 1 },
          speedup: 5.6,
          pairedSpeedup: 5.6,
          macRatio: 5.6,
          efficiency: 1,
          spread: 0.2,
          noisy: false,
        });
      }
    }
  }
  return {
    models: models.map((m) => ({ ...m, path: null, params: 10, inputShapes: [[4]] })),
    results,
    settings: { backends, batchSizes: batches },
  } as unknown as LatencyReport;
}

/** The x-axis tick labels (unclassed, centred texts): position and the widest line. */
function xLabels(svg: string): Array<{ x: number; text: string }> {
  const out: Array<{ x: number; text: string }> = [];
  for (const m of svg.matchAll(/<text x="([-\d.]+)" y="[-\d.]+" text-anchor="middle">(.*?)<\/text>/g)) {
    const lines = m[2]!.includes('<tspan')
      ? [...m[2]!.matchAll(/<tspan[^>]*>([^<]*)<\/tspan>/g)].map((t) => t[1]!)
      : [m[2]!];
    out.push({ x: Number(m[1]), text: lines.reduce((a, b) => (b.length > a.length ? b : a)) });
  }
  return out.filter((l) => l.text !== '').sort((a, b) => a.x - b.x);
}

function expectNoOverlap(labels: Array<{ x: number; text: string }>): void {
  for (let i = 1; i < labels.length; i++) {
    const [a, b] = [labels[i - 1]!, labels[i]!];
    expect(b.x - a.x, `'${a.text}' at ${a.x} and '${b.text}' at ${b.x}`).toBeGreaterThanOrEqual(
      (width(a.text) + width(b.text)) / 2,
    );
  }
}

describe('chart axis labels', () => {
  for (const batches of [[1, 8], [1, 8, 64, 256], [1], [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024]]) {
    it(`latency vs MACs, batch sizes ${batches.join(',')}: x labels do not overlap`, () => {
      const labels = xLabels(latencyVsMacsChart(cellsFor(['wasm', 'cpu'], batches)));
      expect(labels.length).toBeGreaterThanOrEqual(2);
      expectNoOverlap(labels);
    });
  }

  it('speedup vs ideal with many backend x batch groups: group labels do not overlap', () => {
    const labels = xLabels(speedupVsIdealChart(cellsFor(['wasm', 'cpu'], [1, 8, 64, 256])));
    expect(labels).toHaveLength(8);
    expectNoOverlap(labels);
  });
});
