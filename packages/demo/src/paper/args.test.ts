import { describe, expect, it } from 'vitest';
import { PAPER_DEFAULTS, parsePaperArgs } from './args';

describe('bench:paper options', () => {
  it('defaults to the full grid, resumable from docs/results-runs.jsonl', () => {
    const a = parsePaperArgs([]);
    expect(a.models).toEqual(['lenet5-caffe', 'vgg-small-bn']);
    expect(a.sparsities).toEqual([0.5, 0.7, 0.8, 0.9]);
    expect(a.seeds).toEqual([0, 1, 2]);
    expect(a.results).toBe(PAPER_DEFAULTS.results);
    expect(a.resume).toBe(false);
  });

  it('parses lists and flags', () => {
    const a = parsePaperArgs([
      '--resume',
      '--sparsities',
      '50,80',
      '--seeds',
      '3,4',
      '--methods',
      'scratch,dense',
    ]);
    expect(a).toMatchObject({
      resume: true,
      sparsities: [0.5, 0.8],
      seeds: [3, 4],
      methods: ['dense', 'scratch'],
    });
  });

  it('names the option in its errors', () => {
    expect(() => parsePaperArgs(['--methods', 'wgsf'])).toThrow(/--methods: unknown value\(s\) 'wgsf'/);
    expect(() => parsePaperArgs(['--seeds', '1,1'])).toThrow(/--seeds lists a seed twice/);
    expect(() => parsePaperArgs(['--sparsities', '0.5', '--search-sparsity', '0.8'])).toThrow(
      /--search-sparsity/,
    );
  });
});
