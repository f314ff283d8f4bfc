import { describe, expect, it } from 'vitest';
import { seededRandom } from './__fixtures__/random-cases';
import { topKGroups } from './top-k';

/** Reference: stable sort by weighted norm descending, lower index first on ties. */
function reference(a: number[], k: number, w?: number[]): number[] {
  const idx = a.map((_, j) => j);
  const s = (j: number) => (w ? (w[j] as number) : 1) * (a[j] as number);
  idx.sort((p, q) => s(q) - s(p) || p - q);
  return idx.slice(0, k).sort((p, q) => p - q);
}

describe('topKGroups', () => {
  it('examples: ties go to the lower index; k >= m returns all', () => {
    expect(Array.from(topKGroups([1, 5, 5, 2], 2))).toEqual([1, 2]);
    expect(Array.from(topKGroups([1, 5, 5, 2], 1))).toEqual([1]);
    expect(Array.from(topKGroups([1, 5, 5, 2], 9))).toEqual([0, 1, 2, 3]);
    expect(Array.from(topKGroups([0, 0, 0], 2))).toEqual([0, 1]);
    expect(Array.from(topKGroups([1, 5, 5, 2], 1, [10, 1, 1, 1]))).toEqual([0]);
  });

  it('matches a stable sort on 2000 random cases with many ties', () => {
    const rand = seededRandom(51);
    for (let trial = 0; trial < 2000; trial++) {
      const m = 1 + Math.floor(rand() * 60);
      const a = Array.from({ length: m }, () => (rand() < 0.3 ? 0 : Math.floor(rand() * 5)));
      const w = rand() < 0.5 ? undefined : Array.from({ length: m }, () => 1 + Math.floor(rand() * 2));
      const k = 1 + Math.floor(rand() * m);
      expect(Array.from(topKGroups(a, k, w))).toEqual(reference(a, k, w));
    }
  });

  it('validates its input', () => {
    expect(() => topKGroups([1, 2], 0)).toThrow(/topKGroups: option 'k' must be an integer >= 1/);
    expect(() => topKGroups([1, Number.NaN], 1)).toThrow(
      /topKGroups: 'norms' must contain only finite numbers/,
    );
    expect(() => topKGroups([1, 2], 1, [1])).toThrow(
      /topKGroups: option 'weights' must have one entry per group \(2\)/,
    );
  });
});
