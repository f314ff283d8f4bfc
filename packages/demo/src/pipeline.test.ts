import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModel } from '@klevel/pruner/node';
import { useBestBackend } from '@klevel/wasm-train/node';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { parseDemoOptions } from './options';
import { runDemo } from './pipeline';
import type { DemoSummary } from './summary';

describe('runDemo (smoke: 256 embedded images, 1 + 1 + 1 epochs)', () => {
  const out = mkdtempSync(join(tmpdir(), 'klevel-demo-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('trains, finalizes to exactly k, prunes equivalently, benchmarks and writes every output', async () => {
    const lines: string[] = [];
    const options = parseDemoOptions([
      '--data',
      'subset',
      '--train-limit',
      '256',
      '--val-size',
      '0',
      '--test-limit',
      '200',
      '--prox-epochs',
      '1',
      '--hspg-epochs',
      '1',
      '--finetune-epochs',
      '1',
      '--keep',
      '0.2',
      '--latency-batch',
      '1,8',
      '--latency-runs',
      '3',
      '--no-progress',
      '--out',
      out,
    ]);
    await useBestBackend(); // runDemo does it too; here so tf.memory() can count before the run
    const before = tf.memory().numTensors;
    const { summary, table } = await runDemo(options, { log: (l) => lines.push(l), command: 'test' });
    expect(tf.memory().numTensors).toBe(before);

    const text = lines.join('\n');
    expect(text).toContain('EMBEDDED SUBSET');
    expect(text).toMatch(/finalize: \d+ groups were nonzero before the exact-k step/);
    expect(text).toMatch(/pruned model after the fine-tune: test accuracy/);
    expect(text).toContain(`report:       ${join(out, 'report.html')}`);
    expect(text).toMatch(/total time: +\d+\.\d s/);
    expect(table).toContain('test accuracy');

    // exact k, as requested: 20% of 20 / 50 / 500 (unless training emptied more than that)
    const byLayer = Object.fromEntries(summary.groups.layers.map((l) => [l.layer, l]));
    expect(Object.keys(byLayer)).toEqual(['conv1', 'conv2', 'fc1']);
    expect([byLayer.conv1?.requested, byLayer.conv2?.requested, byLayer.fc1?.requested]).toEqual([
      4, 10, 100,
    ]);
    for (const l of summary.groups.layers) {
      expect(l.kept).toBe(Math.min(l.requested, l.nonzeroBeforeFinalize));
      expect(l.prunedWidth).toBe(Math.max(1, l.kept));
    }
    expect(summary.equivalence?.maxRelativeDifference).toBeLessThanOrEqual(1e-4);
    expect(summary.costs.paramsAfter).toBeLessThan(summary.costs.paramsBefore);
    expect(summary.latency.cells.map((c) => c.batchSize)).toEqual([1, 8]);
    expect(summary.curves.dense).toHaveLength(3);
    expect(summary.curves.sparse.map((r) => r.phase)).toEqual(['wgsef', 'hspg', 'finetune']);
    expect(summary.epochs).toEqual({ dense: 3, prox: 1, hspg: 1, finetune: 1 });
    expect(summary.accuracy.pruned).toBeGreaterThan(0);
    // the default lambda is 'auto': what it chose per layer, and the accuracy just before the cut
    expect(summary.lambda?.mode).toBe('auto');
    expect(Object.keys(summary.lambda?.last ?? {})).toEqual(['conv1', 'conv2', 'fc1']);
    for (const v of Object.values(summary.lambda?.last ?? {})) expect(v).toBeGreaterThan(0);
    expect(summary.accuracy.sparseBeforeFinalize).toBeGreaterThan(0);
    expect(text).toMatch(
      /lambda per layer \(first nonzero, peak, at the switch to half-space, last\): conv1 /,
    );
    expect(summary.sparsityHistory.at(-1)?.phase).toBe('finalize');

    // outputs
    const json = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as DemoSummary;
    expect(json.groups.keptTotal).toBe(summary.groups.keptTotal);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('<svg');
    expect(html).not.toMatch(/<script/i);
    expect(existsSync(join(out, 'pruned', 'weights.bin'))).toBe(true);
    const loaded = await loadModel(join(out, 'pruned'));
    expect(loaded.getLayer('conv2').getConfig().filters).toBe(byLayer.conv2?.prunedWidth);
    loaded.dispose();
  }, 300_000); // three short fits and a latency run; minutes on a loaded 2-core machine
});
