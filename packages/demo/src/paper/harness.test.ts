import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fashionMnistSubsetDir } from '@klevel/zoo';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { type HarnessOptions, runGrid } from './harness';
import { readRecords } from './records';

describe('runGrid (embedded subset, one-epoch protocol)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'klevel-paper-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const options = (maxJobs: number | undefined): HarnessOptions => ({
    spec: {
      models: ['lenet5-caffe'],
      methods: ['dense', 'scratch', 'magnitude'],
      sparsities: [0.8],
      seeds: [0],
      searchAt: { sparsity: 0.8, seed: 0 },
    },
    results: join(dir, 'runs.jsonl'),
    cacheDir: join(dir, 'cache'),
    dataDir: fashionMnistSubsetDir(),
    trainLimit: 64,
    testLimit: 50,
    protocol: { mainEpochs: 1, proxEpochs: 1, finetuneEpochs: 1, batchSize: 32 },
    latencyRuns: 2,
    latencyBatch: 4,
    command: 'test',
    maxJobs,
    log: () => {},
    bars: false,
  });

  it('appends one record per job and --resume runs only what is missing', async () => {
    expect(await runGrid(options(2))).toBe(2);
    const first = readRecords(join(dir, 'runs.jsonl'));
    expect(first.map((r) => r.key)).toEqual(['latency|lenet5-caffe|0.8', 'run|lenet5-caffe|scratch|0.8|0|-']);
    const before = tf.memory().numTensors;
    expect(await runGrid(options(undefined))).toBe(2);
    expect(tf.memory().numTensors).toBe(before);
    const all = readRecords(join(dir, 'runs.jsonl'));
    expect(all.map((r) => r.key)).toEqual([
      'latency|lenet5-caffe|0.8',
      'run|lenet5-caffe|scratch|0.8|0|-',
      'run|lenet5-caffe|dense|0|0|-',
      'run|lenet5-caffe|magnitude|0.8|0|-',
    ]);
    for (const r of all) {
      if (r.kind !== 'run') continue;
      expect(r.result.testAccuracy).toBeGreaterThan(0);
      expect(r.result.exactK).toBe(true);
      expect(r.context.data.test).toBe(50);
    }
    expect(await runGrid(options(undefined))).toBe(0);
  }, 600_000);
});
