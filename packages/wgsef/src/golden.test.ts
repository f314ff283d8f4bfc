/**
 * Golden vectors from an independent numpy implementation of docs/concepts/wgsef-math.md (kept outside
 * the repository; tools/golden/wgsef-golden.sh regenerates the file from it): value, prox and post-prox
 * group norms must match to 1e-9 relative.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { segmentNorms } from './group-norms';
import type { RootMethod } from './root-finding';
import { wgsefProx, wgsefValue } from './wgsef';

interface GoldenCase {
  v: number[];
  groupOffsets: number[];
  weights: number[];
  k: number;
  lambda: number;
  value: number;
  prox: number[];
  groupNormsAfterProx: number[];
}

const cases: GoldenCase[] = JSON.parse(
  readFileSync(new URL('./__fixtures__/wgsef-golden.json', import.meta.url), 'utf8'),
);

/** Worst entrywise |x - y| / (|y| + 1e-12 * max|y|): relative per entry, absolute only near exact zeros. */
function worstEntrywise(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  expect(actual.length).toBe(expected.length);
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i] as number));
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i] as number;
    const d = Math.abs((actual[i] as number) - e);
    worst = Math.max(worst, d / (Math.abs(e) + 1e-12 * scale + Number.MIN_VALUE));
  }
  return worst;
}

describe('golden vectors (numpy reference)', () => {
  it('has a meaningful number of cases, some with zero groups', () => {
    expect(cases.length).toBeGreaterThanOrEqual(100);
    const withZero = cases.filter((c) => segmentNorms(c.v, c.groupOffsets).some((a) => a === 0));
    expect(withZero.length).toBeGreaterThan(10);
  });

  it('wgsefValue matches to 1e-9 relative', () => {
    for (const c of cases) {
      const value = wgsefValue(c.v, c.groupOffsets, { k: c.k, weights: c.weights });
      expect(Math.abs(value - c.value) / Math.abs(c.value)).toBeLessThanOrEqual(1e-9);
    }
  });

  for (const method of ['select', 'sort'] as RootMethod[]) {
    it(`wgsefProx (${method}) matches entrywise to 1e-9 relative`, () => {
      let worst = 0;
      for (const c of cases) {
        const x = wgsefProx(c.v, c.groupOffsets, { k: c.k, lambda: c.lambda, weights: c.weights, method });
        const e = worstEntrywise(x, c.prox);
        const en = worstEntrywise(segmentNorms(x, c.groupOffsets), c.groupNormsAfterProx);
        // exact zeros must be exact zeros
        for (let i = 0; i < x.length; i++) if (c.prox[i] === 0) expect(x[i]).toBe(0);
        worst = Math.max(worst, e, en);
      }
      expect(worst).toBeLessThanOrEqual(1e-9);
    });
  }
});
