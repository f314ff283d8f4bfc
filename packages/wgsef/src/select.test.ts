import { describe, expect, it } from 'vitest';
import { seededRandom } from './__fixtures__/random-cases';
import { selectKth } from './select';

function patterns(rand: () => number, n: number): Array<[string, Float64Array]> {
  return [
    ['random', Float64Array.from({ length: n }, () => rand())],
    ['few distinct', Float64Array.from({ length: n }, () => Math.floor(rand() * 4))],
    ['all equal', new Float64Array(n).fill(2.5)],
    ['ascending', Float64Array.from({ length: n }, (_, i) => i)],
    ['descending', Float64Array.from({ length: n }, (_, i) => n - i)],
    ['organ pipe', Float64Array.from({ length: n }, (_, i) => Math.min(i, n - i))],
    ['sawtooth', Float64Array.from({ length: n }, (_, i) => i % 7)],
    [
      'with infinities',
      Float64Array.from({ length: n }, (_, i) => (i % 5 === 0 ? Number.POSITIVE_INFINITY : rand())),
    ],
  ];
}

describe('selectKth', () => {
  it('returns the kth smallest for many sizes, patterns and ranks', () => {
    const rand = seededRandom(3);
    for (const n of [1, 2, 3, 5, 16, 17, 100, 511, 513, 2000, 20000]) {
      for (const [name, a] of patterns(rand, n)) {
        const sorted = Float64Array.from(a).sort();
        for (const kth of [0, n - 1, n >> 1, Math.floor(rand() * n)]) {
          const copy = Float64Array.from(a);
          expect(selectKth(copy, n, kth), `${name} n=${n} kth=${kth}`).toBe(sorted[kth]);
          // a permutation: same multiset
          expect(Array.from(copy.sort())).toEqual(Array.from(sorted));
        }
      }
    }
  });

  it('stays linear on an adversarial input (the median-of-medians fallback)', () => {
    // Many equal-pivot-killer runs. The work is counted, not timed: every element read or write of the array
    // (a deterministic count, so the test does not depend on the machine's load).
    const make = (n: number) => Float64Array.from({ length: n }, (_, i) => (i % 2 === 0 ? i : n - i));
    const accesses = (n: number) => {
      const a = make(n);
      const sorted = Float64Array.from(a).sort();
      let count = 0;
      const isIndex = (key: string | symbol) => typeof key === 'string' && /^\d+$/.test(key);
      const counted = new Proxy(a, {
        get: (t, key) => {
          if (isIndex(key)) count++;
          return Reflect.get(t, key);
        },
        set: (t, key, value) => {
          if (isIndex(key)) count++;
          return Reflect.set(t, key, value);
        },
      });
      expect(selectKth(counted, n, n >> 1)).toBe(sorted[n >> 1]);
      return count;
    };
    const small = accesses(1 << 14);
    const large = accesses(1 << 16);
    // linear: 4x the input, about 4x the work (measured 4.06; n log n would give 4.57, quadratic 16); and a
    // bounded cost per element (measured 10)
    expect(large / small).toBeLessThan(4.4);
    expect(large / (1 << 16)).toBeLessThan(30);
  });

  it('works on a prefix and rejects bad ranks', () => {
    const a = Float64Array.of(5, 1, 4, 2, -100);
    expect(selectKth(a, 4, 1)).toBe(2);
    expect(a[4]).toBe(-100);
    expect(() => selectKth(a, 4, 4)).toThrow(RangeError);
    expect(() => selectKth(a, 6, 0)).toThrow(/kth must be in \[0, n\)/);
  });
});
