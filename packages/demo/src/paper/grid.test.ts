import { describe, expect, it } from 'vitest';
import { chosenLambda, type DoneRun, type GridSpec, jobKey, planJobs } from './grid';
import { methodShape } from './protocol';

const spec: GridSpec = {
  models: ['lenet5-caffe'],
  methods: ['dense', 'wgsef-hspg', 'magnitude', 'scratch', 'wgsef-auto-hspg'],
  sparsities: [0.5, 0.8],
  seeds: [0, 1],
  lambdaGrid: { 'wgsef-hspg': [1e-5, 1e-4, 1e-3] },
  searchAt: { sparsity: 0.8, seed: 0 },
  available: (m) => m !== 'wgsef-auto-hspg',
};

const trial = (lambda: number, valAccuracy: number): DoneRun => ({
  model: 'lenet5-caffe',
  method: 'wgsef-hspg',
  sparsity: 0.8,
  seed: 0,
  lambda,
  valAccuracy,
});

describe('planJobs', () => {
  it('runs the search point first (latency, the controls, the middle lambda first) and leaves unavailable methods out', () => {
    const keys = planJobs(spec, []).map(jobKey);
    expect(keys.slice(0, 7)).toEqual([
      'latency|lenet5-caffe|0.8',
      'run|lenet5-caffe|scratch|0.8|0|-',
      'run|lenet5-caffe|dense|0|0|-',
      'run|lenet5-caffe|magnitude|0.8|0|-',
      'run|lenet5-caffe|wgsef-hspg|0.8|0|0.0001',
      'run|lenet5-caffe|wgsef-hspg|0.8|0|0.00001',
      'run|lenet5-caffe|wgsef-hspg|0.8|0|0.001',
    ]);
    expect(keys.some((k) => k.includes('auto'))).toBe(false);
    // the searched method's other cells wait for the search
    expect(keys.filter((k) => k.includes('wgsef-hspg'))).toHaveLength(3);
  });

  it('uses the lambda with the best validation accuracy once every candidate has run', () => {
    const done = [trial(1e-5, 0.8), trial(1e-4, 0.86), trial(1e-3, 0.7)];
    expect(chosenLambda(spec, done.slice(0, 2), 'lenet5-caffe', 'wgsef-hspg')).toBeUndefined();
    expect(chosenLambda(spec, done, 'lenet5-caffe', 'wgsef-hspg')).toBe(1e-4);
    const keys = planJobs(spec, done).map(jobKey);
    expect(keys).toContain('run|lenet5-caffe|wgsef-hspg|0.5|0|0.0001');
    expect(keys).toContain('run|lenet5-caffe|wgsef-hspg|0.8|1|0.0001');
    // other levels at the search seed before other seeds; one dense per seed
    expect(keys.indexOf('run|lenet5-caffe|magnitude|0.5|0|-')).toBeLessThan(
      keys.indexOf('run|lenet5-caffe|magnitude|0.8|1|-'),
    );
    expect(keys.filter((k) => k.includes('|dense|'))).toEqual([
      'run|lenet5-caffe|dense|0|0|-',
      'run|lenet5-caffe|dense|0|1|-',
    ]);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('keeps the search at its seed when --seeds leaves it out: a slice of other seeds reuses the choice', () => {
    const slice: GridSpec = { ...spec, seeds: [2] };
    const before = planJobs(slice, []).map(jobKey);
    // the trials still run at the search seed; no other seed-0 cell does
    const seedOf = (k: string) => k.split('|')[4];
    expect(before.filter((k) => k.startsWith('run') && seedOf(k) === '0')).toEqual([
      'run|lenet5-caffe|wgsef-hspg|0.8|0|0.0001',
      'run|lenet5-caffe|wgsef-hspg|0.8|0|0.00001',
      'run|lenet5-caffe|wgsef-hspg|0.8|0|0.001',
    ]);
    const done = [trial(1e-5, 0.8), trial(1e-4, 0.86), trial(1e-3, 0.7)];
    const after = planJobs(slice, done).map(jobKey);
    expect(after).toContain('run|lenet5-caffe|wgsef-hspg|0.8|2|0.0001');
    expect(after).toContain('run|lenet5-caffe|dense|0|2|-');
    expect(after.filter((k) => k.startsWith('run') && seedOf(k) !== '2')).toHaveLength(3);
  });

  it("plans the BatchNorm 'scales' methods only for models with BatchNorm", () => {
    const both: GridSpec = {
      ...spec,
      models: ['lenet5-caffe', 'vgg-small-bn'],
      methods: ['magnitude', 'magnitude-scales', 'wgsef-auto-scales-hspg'],
      available: () => true,
    };
    const keys = planJobs(both, []).map(jobKey);
    expect(keys.filter((k) => k.includes('scales') && k.includes('lenet5-caffe'))).toEqual([]);
    expect(keys).toContain('run|vgg-small-bn|magnitude-scales|0.8|0|-');
    expect(keys).toContain('run|vgg-small-bn|wgsef-auto-scales-hspg|0.5|1|-');
    expect(methodShape('wgsef-auto-scales-hspg')).toEqual({
      regularizer: 'wgsef',
      hspg: true,
      auto: true,
      batchNorm: 'scales',
    });
    expect(methodShape('wgsef-auto-hspg').batchNorm).toBe('group');
  });
});
