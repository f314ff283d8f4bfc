import { describeBackends, expectNoLeaks, useTestBackend } from '@klevel/test-utils';
import { lenet5, mlp, twoOutputModel } from '@klevel/zoo';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { benchmarkLatency } from './benchmark';
import { startClock } from './measure';
import { benchmarkLatency as benchmarkNode } from './node';
import type { LatencyResult } from './types';

/** Records the order in which models run (wrapping `apply`, which every timed and warm-up run calls). */
function spyOrder(model: tfl.LayersModel, name: string, log: string[]): tfl.LayersModel {
  const apply = model.apply.bind(model);
  model.apply = ((inputs: never, kwargs: never) => {
    log.push(name);
    return apply(inputs, kwargs);
  }) as typeof model.apply;
  return model;
}

function expectConsistent(r: LatencyResult): void {
  expect(r.min).toBeGreaterThan(0);
  expect(r.min).toBeLessThanOrEqual(r.p10);
  expect(r.p10).toBeLessThanOrEqual(r.median);
  expect(r.median).toBeLessThanOrEqual(r.p90);
  expect(r.p90).toBeLessThanOrEqual(r.max);
  expect(r.mean).toBeGreaterThanOrEqual(r.min);
  expect(r.mean).toBeLessThanOrEqual(r.max);
  expect(r.timesMs).toHaveLength(r.n);
  expect(r.throughput).toBeCloseTo((r.batchSize * 1000) / r.median, 6);
  expect(r.memory.peakBytes).toBeGreaterThan(0);
  expect(r.spread).toBeCloseTo((r.max - r.min) / r.median, 9);
  if (r.macs !== null) expect(r.macsPerBatch).toBe(r.macs * r.batchSize);
  if (r.macRatio !== null) expect(r.efficiency).toBeCloseTo(r.speedup / r.macRatio, 9);
}

describeBackends('benchmarkLatency', (backend) => {
  it('measures every model x batch with consistent statistics, MACs, speedup and efficiency, leaking nothing', async () => {
    const dense = lenet5({ seed: 1 });
    const small = lenet5({ seed: 1, filters: [3, 8], units: [60, 42] });
    const events: string[] = [];
    const report = await expectNoLeaks(() =>
      benchmarkLatency(
        [
          { name: 'dense', model: dense },
          { name: 'small', model: small },
        ],
        {
          backends: [backend],
          batchSizes: [1, 4],
          runs: 4,
          warmupRuns: 1,
          onProgress: (e) => events.push(e.phase),
        },
      ),
    );
    expect(report.settings).toMatchObject({
      batchSizes: [1, 4],
      backends: [backend],
      runs: 4,
      interleaved: true,
    });
    expect(report.models.map((m) => [m.name, m.params, m.macs])).toEqual([
      ['dense', 61706, 416520],
      ['small', small.countParams(), expect.any(Number)],
    ]);
    expect(report.results.map((r) => `${r.backend}/${r.batchSize}/${r.model}`)).toEqual([
      `${backend}/1/dense`,
      `${backend}/1/small`,
      `${backend}/4/dense`,
      `${backend}/4/small`,
    ]);
    for (const r of report.results) expectConsistent(r);
    const [d1, s1] = report.results;
    expect(d1!.speedup).toBe(1);
    expect(d1!.macRatio).toBe(1);
    expect(s1!.speedup).toBeCloseTo(d1!.median / s1!.median, 9);
    expect(d1!.pairedSpeedup).toBe(1);
    const ratios = s1!.timesMs.map((t, k) => d1!.timesMs[k]! / t).sort((x, y) => x - y);
    expect(s1!.pairedSpeedup).toBeCloseTo((ratios[1]! + ratios[2]!) / 2, 9);
    expect(s1!.macRatio).toBeCloseTo(416520 / report.models[1]!.macs!, 9);
    expect(events.filter((e) => e === 'timed')).toHaveLength(2 * 4 * 2);
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
    expect(tf.getBackend()).toBe(backend);
    dense.dispose();
    small.dispose();
  });

  it('interleaves models run by run, rotating the start model (AB BA AB ...)', async () => {
    const log: string[] = [];
    const a = spyOrder(mlp({ inputShape: [4], seed: 1 }), 'A', log);
    const b = spyOrder(mlp({ inputShape: [4], seed: 2 }), 'B', log);
    await benchmarkLatency(
      [
        { name: 'A', model: a },
        { name: 'B', model: b },
      ],
      { backends: [backend], runs: 3, warmupRuns: 2 },
    );
    // 2 warm-up rounds, 1 memory profile each, then 3 timed rounds with a rotating start
    expect(log.join('')).toBe(`ABAB AB ABBAAB`.replace(/ /g, ''));
    a.dispose();
    b.dispose();
  });

  it('runs to a time budget with at least minRuns, and handles multi-output models', async () => {
    const model = twoOutputModel({ seed: 1 });
    const report = await benchmarkLatency([{ name: 'two', model }], {
      backends: [backend],
      timeBudgetMs: 30,
      minRuns: 3,
      warmupRuns: 1,
    });
    const [r] = report.results;
    expect(report.settings.runs).toBeNull();
    expect(report.settings.timeBudgetMs).toBe(30);
    expect(r!.n).toBeGreaterThanOrEqual(3);
    expect(r!.timesMs.reduce((s, t) => s + t, 0)).toBeGreaterThanOrEqual(Math.min(30, r!.n * r!.min));
    expectConsistent(r!);
    model.dispose();
  });

  it("measures process CPU time with clock: 'cpu'", async () => {
    const model = lenet5({ seed: 1 });
    const report = await benchmarkLatency([{ name: 'm', model }], {
      backends: [backend],
      batchSizes: [8],
      runs: 3,
      warmupRuns: 1,
      clock: 'cpu',
    });
    expect(report.settings.clock).toBe('cpu');
    expectConsistent(report.results[0]!);
    model.dispose();
  });

  it('reports null MACs with the reason when the counter fails, instead of failing the benchmark', async () => {
    const model = mlp({ inputShape: [4] });
    const report = await benchmarkLatency(
      [
        { name: 'm', model },
        { name: 'm', model },
      ],
      {
        backends: [backend],
        runs: 2,
        warmupRuns: 0,
        countFlops: () => {
          throw new Error('no handler for layer X');
        },
      },
    );
    expect(report.models.map((m) => m.name)).toEqual(['m', 'm-2']);
    expect(report.models[0]).toMatchObject({ macs: null, macsError: 'no handler for layer X' });
    expect(report.results[1]).toMatchObject({ macRatio: null, efficiency: null, macsPerBatch: null });
    model.dispose();
  });
});

describe('benchmarkLatency option errors', () => {
  const model = { name: 'm', model: null as unknown as tfl.LayersModel };
  it('rejects empty lists, unknown backends and bad numbers before running anything', async () => {
    await expect(benchmarkLatency([], { backends: ['cpu'] })).rejects.toThrow(
      /models must be a non-empty list/,
    );
    await expect(benchmarkLatency([model], { backends: ['cpu'], batchSizes: [] })).rejects.toThrow(
      /batchSizes must be a non-empty list of positive integers/,
    );
    await expect(benchmarkLatency([model], { backends: ['cpu'], batchSizes: [0] })).rejects.toThrow(
      /batchSizes\[\] must be an integer >= 1, received 0/,
    );
    await expect(benchmarkLatency([model], { backends: ['webgpu2'] })).rejects.toThrow(
      /unknown backend 'webgpu2'; known backends: tensorflow, webgl, wasm, cpu/,
    );
    await expect(benchmarkLatency([model], { backends: [] })).rejects.toThrow(
      /backends must be a non-empty list/,
    );
    await expect(benchmarkLatency([model], { backends: ['cpu', 'cpu'] })).rejects.toThrow(/listed twice/);
    await expect(benchmarkLatency([model], { backends: ['cpu'], clock: 'gpu' as 'cpu' })).rejects.toThrow(
      /clock must be 'wall' or 'cpu', received gpu/,
    );
    await expect(benchmarkLatency([model], { backends: ['cpu'], runs: 0 })).rejects.toThrow(
      /runs must be an integer >= 1/,
    );
    await expect(benchmarkLatency([model], { backends: ['cpu'], timeBudgetMs: -1 })).rejects.toThrow(
      /timeBudgetMs must be > 0/,
    );
    await expect(benchmarkLatency(['/nonexistent/model.json'], { backends: ['cpu'] })).rejects.toThrow(
      /'\/nonexistent\/model.json' is a model path; loading model files needs Node: import benchmarkLatency from '@klevel\/latency\/node'/,
    );
    await expect(benchmarkNode(['/nonexistent/model.json'], { backends: ['cpu'] })).rejects.toThrow(
      /nonexistent\/model.json does not exist/,
    );
    await expect(benchmarkLatency([42 as unknown as string], { backends: ['cpu'] })).rejects.toThrow(
      /models\[0\] must be a model.json path, \{ name, model \} or \{ path \}/,
    );
  });

  it('rejects an input shape that does not match the model', async () => {
    const m = mlp({ inputShape: [4] });
    await expect(
      benchmarkLatency([{ name: 'm', model: m }], { backends: ['cpu'], inputShape: [5] }),
    ).rejects.toThrow(/inputShape \[5\] does not match model 'm' input shape \[4\]/);
    m.dispose();
  });
});

describe('benchmarkLatency outside Node', () => {
  it("rejects clock: 'cpu' with a clear message where there is no process (a browser), not a ReferenceError", async () => {
    await useTestBackend('cpu');
    const m = mlp({ inputShape: [4] });
    const real = Object.getOwnPropertyDescriptor(globalThis, 'process')!;
    // As in a browser page: no `process` global at all. Restored before anything awaits.
    delete (globalThis as { process?: unknown }).process;
    let pending: Promise<unknown>;
    let clockError: unknown;
    try {
      pending = benchmarkLatency([{ name: 'm', model: m }], { backends: ['cpu'], clock: 'cpu' });
      try {
        startClock('cpu');
      } catch (e) {
        clockError = e;
      }
    } finally {
      Object.defineProperty(globalThis, 'process', real);
    }
    await expect(pending).rejects.toThrow(
      /benchmarkLatency: options\.clock 'cpu' needs Node's process\.cpuUsage\(\), which this runtime \(a browser\?\) does not have; use clock: 'wall'/,
    );
    expect(String(clockError)).toMatch(/startClock: clock 'cpu' needs Node's process\.cpuUsage\(\)/);
    m.dispose();
  });
});

describe('benchmarkLatency (main entry) with a backend the app did not register', () => {
  it('says which package to import', async () => {
    const model = mlp({ inputShape: [4] });
    await expect(benchmarkLatency([{ name: 'm', model }], { backends: ['webgl'] })).rejects.toThrow(
      /backend 'webgl' is not registered: import '@tensorflow\/tfjs-backend-webgl' in your app/,
    );
    model.dispose();
  });
});
