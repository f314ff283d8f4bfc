import { expect, it } from 'vitest';
import { parsePaperArgs } from './options';
import { renderResultsMarkdown } from './render';
import { runPaperExperiment } from './run';

// One tiny end-to-end run of every method (LeNet-5, 128 images, 2 epochs, one level) on wasm.
// The group lasso is far too strong on purpose: it zeroes more groups than the level asks for, and the
// pruned architecture must still be the same k per layer as every other method's.
it('runs every method to the same exact k, prunes them to one architecture and reports', async () => {
  const o = parsePaperArgs([
    '--seeds',
    '1',
    '--sparsities',
    '0.5',
    '--epochs',
    '2',
    '--finetune-epochs',
    '1',
    '--train-limit',
    '128',
    '--test-limit',
    '100',
    '--latency-runs',
    '2',
    '--latency-batch',
    '8',
    '--model',
    'lenet5',
    // strong enough to zero more than half of the groups: the pruned architecture must still keep k
    '--lambda-group-lasso',
    '5',
  ]);
  const lines: string[] = [];
  const r = await runPaperExperiment(o, { log: (l) => lines.push(l) });
  expect(r.runs.map((x) => x.method).sort()).toEqual(
    ['dense', 'group-lasso-hspg', 'group-lasso-prox', 'magnitude', 'wgsef-hspg', 'wgsef-prox'].sort(),
  );
  const sparse = r.runs.filter((x) => x.method !== 'dense');
  for (const x of sparse) {
    // LeNet-5 hidden layers: conv1 6, conv2 16, fc1 120, fc2 84 groups; half of each is kept
    expect(x.groups).toBe(226);
    if (x.method.startsWith('group-lasso')) expect(x.sparsityAfterExactK).toBeGreaterThan(0.5);
    else expect(x.sparsityAfterExactK).toBeCloseTo(113 / 226, 12);
    expect(x.params).toBe(sparse[0]?.params);
    expect(x.macs).toBe(sparse[0]?.macs);
    expect(x.pruneMaxDifference).toBeLessThanOrEqual(1e-4);
    expect(x.accuracyExactK).toBeGreaterThanOrEqual(0);
    expect(x.accuracyFineTuned).toBeLessThanOrEqual(1);
  }
  const dense = r.runs.find((x) => x.method === 'dense');
  expect(dense?.params).toBe(61706);
  expect(sparse[0]?.params).toBeLessThan(61706 / 2);
  expect(r.latency.map((l) => l.clock)).toEqual(['wall', 'cpu']);
  expect(r.latency[0]?.macRatio).toBeGreaterThan(2);
  expect(lines.some((l) => l.includes('ETA'))).toBe(true);
  const md = renderResultsMarkdown(r);
  expect(md).toContain('| WGSEF then HSPG |');
  expect(md).toContain('### 50.0% of filters and neurons removed');
}, 120_000);
