import { describe, expect, it } from 'vitest';
import {
  cosineLr,
  DEFAULT_PAPER_OPTIONS,
  PAPER_METHODS,
  parseMethods,
  parsePaperArgs,
  parseSeeds,
  parseSparsities,
  phaseEpochs,
} from './options';

describe('parsePaperArgs', () => {
  it('returns the defaults for an empty command line', () => {
    expect(parsePaperArgs([])).toEqual(DEFAULT_PAPER_OPTIONS);
  });

  it('--full uses the whole dataset and a longer schedule; explicit options still win', () => {
    const o = parsePaperArgs(['--full', '--epochs', '7']);
    expect(o.full).toBe(true);
    expect(o.trainLimit).toBeUndefined();
    expect(o.testLimit).toBeUndefined();
    expect(o.epochs).toBe(7);
    expect(o.finetuneEpochs).toBeGreaterThan(DEFAULT_PAPER_OPTIONS.finetuneEpochs);
  });

  it('reads every option', () => {
    const o = parsePaperArgs([
      '--seeds=5',
      '--sparsities',
      '50,85',
      '--epochs',
      '6',
      '--finetune-epochs',
      '0',
      '--train-limit',
      '1000',
      '--test-limit',
      '500',
      '--methods',
      'magnitude,dense',
      '--lr',
      '0.1',
      '--lr-min',
      '0.01',
      '--lambda-wgsef',
      '1e-3',
      '--lambda-group-lasso',
      '0',
      '--hspg-epsilon',
      '0.5',
      '--latency-runs',
      '0',
      '--model',
      'lenet5',
      '--data-dir',
      '/data/fm',
      '--out',
      'x/y.md',
    ]);
    expect(o).toMatchObject({
      seeds: [1, 2, 3, 4, 5],
      sparsities: [0.5, 0.85],
      epochs: 6,
      finetuneEpochs: 0,
      trainLimit: 1000,
      testLimit: 500,
      methods: ['dense', 'magnitude'],
      lr: 0.1,
      lrMin: 0.01,
      lambdaWgsef: 1e-3,
      lambdaGroupLasso: 0,
      hspgEpsilon: 0.5,
      latencyRuns: 0,
      model: 'lenet5',
      dataDir: '/data/fm',
      out: 'x/y.md',
    });
  });

  it('rejects bad values with a message naming the option', () => {
    expect(() => parsePaperArgs(['--epochs', '0'])).toThrow(/--epochs must be an integer >= 1/);
    expect(() => parsePaperArgs(['--lr', '-1'])).toThrow(/--lr must be a number > 0/);
    expect(() => parsePaperArgs(['--lr', '0.01', '--lr-min', '0.1'])).toThrow(/--lr-min/);
    expect(() => parsePaperArgs(['--model', 'resnet'])).toThrow(/--model/);
    expect(() => parsePaperArgs(['--hspg-epsilon', '1'])).toThrow(/\[0, 1\)/);
    expect(() => parsePaperArgs(['--epochs', '1'])).toThrow(/HSPG/);
    expect(() => parsePaperArgs(['--bogus'])).toThrow(/unknown option/);
  });

  it('allows one epoch when no HSPG method runs', () => {
    expect(parsePaperArgs(['--epochs', '1', '--methods', 'dense,magnitude']).epochs).toBe(1);
  });
});

describe('list parsers', () => {
  it('seeds: a count or a list, no duplicates', () => {
    expect(parseSeeds('3')).toEqual([1, 2, 3]);
    expect(parseSeeds('7, 11,13')).toEqual([7, 11, 13]);
    expect(parseSeeds('7,')).toEqual([7]);
    expect(() => parseSeeds('0')).toThrow(/count >= 1/);
    expect(() => parseSeeds('1,1')).toThrow(/twice/);
    expect(() => parseSeeds('1,x')).toThrow(/comma-separated/);
  });

  it('sparsities: fractions or percents, sorted and de-duplicated, strictly inside (0, 1)', () => {
    expect(parseSparsities('0.85,0.5,0.7,0.5')).toEqual([0.5, 0.7, 0.85]);
    expect(parseSparsities('80,50')).toEqual([0.5, 0.8]);
    expect(() => parseSparsities('0')).toThrow(/\(0, 1\)/);
    expect(() => parseSparsities('100')).toThrow(/\(0, 1\)/);
    expect(() => parseSparsities('0.5,,0.7')).toThrow(/comma-separated/);
  });

  it('methods: known names in table order', () => {
    expect(parseMethods('magnitude, wgsef-hspg')).toEqual(['wgsef-hspg', 'magnitude']);
    expect(parseMethods(PAPER_METHODS.join(','))).toEqual([...PAPER_METHODS]);
    expect(() => parseMethods('wgsef,dense')).toThrow(/unknown method\(s\) 'wgsef'/);
    expect(() => parseMethods(',')).toThrow(/empty list/);
  });
});

describe('schedule helpers', () => {
  it('cosineLr goes from lr to lrMin and is monotone', () => {
    expect(cosineLr(0, 5, 0.05, 0.005)).toBeCloseTo(0.05, 12);
    expect(cosineLr(4, 5, 0.05, 0.005)).toBeCloseTo(0.005, 12);
    expect(cosineLr(2, 5, 0.05, 0.005)).toBeCloseTo(0.0275, 12);
    for (let e = 1; e < 5; e++)
      expect(cosineLr(e, 5, 0.05, 0.005)).toBeLessThan(cosineLr(e - 1, 5, 0.05, 0.005));
    expect(cosineLr(0, 1, 0.05, 0.005)).toBe(0.05);
  });

  it('phaseEpochs splits at half (phase 1 at least one epoch)', () => {
    expect(phaseEpochs(4)).toEqual({ phase1: 2, phase2: 2 });
    expect(phaseEpochs(5)).toEqual({ phase1: 2, phase2: 3 });
    expect(phaseEpochs(1)).toEqual({ phase1: 1, phase2: 0 });
  });
});
