import { expectNoLeaks, useTestBackend } from '@klevel/test-utils';
import { mlp } from '@klevel/zoo';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { benchmarkLatency } from './benchmark';
import { timeInference } from './measure';

/** A `performance.now()` coarsened to `stepMs`, as browsers coarsen it on pages that are not cross-origin isolated. */
function coarsenClock(stepMs: number): void {
  const now = performance.now.bind(performance);
  vi.spyOn(performance, 'now').mockImplementation(() => Math.floor(now() / stepMs) * stepMs);
}

describe('timeInference on a clock coarser than one inference', () => {
  beforeAll(() => useTestBackend('cpu'));
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('times back-to-back runs until the clock moves, so a reading is never 0 (and leaks nothing)', async () => {
    const model = mlp({ seed: 1, units: [4], inputShape: [4] });
    const x = tf.ones([1, 4]);
    coarsenClock(5);
    await expectNoLeaks(async () => {
      for (let i = 0; i < 5; i++) {
        const ms = await timeInference(model, [x]);
        expect(ms).toBeGreaterThan(0);
        expect(Number.isFinite(ms)).toBe(true);
      }
    });
    x.dispose();
    model.dispose();
  });

  it('gives finite speedups where single runs read 0 (the browser wasm benchmark of a tiny pruned model)', async () => {
    const dense = mlp({ seed: 1, units: [16], inputShape: [4] });
    const small = mlp({ seed: 1, units: [2], inputShape: [4] });
    coarsenClock(5);
    const report = await benchmarkLatency(
      [
        { name: 'dense', model: dense },
        { name: 'small', model: small },
      ],
      { backends: ['cpu'], batchSizes: [1], warmupRuns: 1, runs: 5 },
    );
    for (const r of report.results) {
      expect(r.min).toBeGreaterThan(0);
      expect(Number.isFinite(r.pairedSpeedup)).toBe(true);
      expect(Number.isFinite(r.speedup)).toBe(true);
    }
    dense.dispose();
    small.dispose();
  });

  it('names the clock when it never advances', async () => {
    const model = mlp({ seed: 1, units: [2], inputShape: [4] });
    const x = tf.ones([1, 4]);
    vi.spyOn(performance, 'now').mockReturnValue(1000);
    await expect(timeInference(model, [x])).rejects.toThrow(
      /timeInference: the 'wall' clock did not advance over 4096 back-to-back inferences.*performance\.now\(\) is not frozen/,
    );
    x.dispose();
    model.dispose();
  });
});
