import { describe, expect, it } from 'vitest';
import { seededRandom } from './__fixtures__/random-cases';
import { kSupportNorm, sefGradient, sefProx, sefValue } from './sef';

/** SEF_k^*(y) = 1/2 (sum of the k largest y_i^2). */
function conjugate(y: ArrayLike<number>, k: number): number {
  const s = Array.from(y, (x) => x * x).sort((p, q) => q - p);
  return 0.5 * s.slice(0, k).reduce((p, q) => p + q, 0);
}

function dot(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += (x[i] as number) * (y[i] as number);
  return s;
}

function randomVector(rand: () => number, d: number): Float64Array {
  const x = Float64Array.from({ length: d }, () => (rand() * 2 - 1) * 3);
  for (let i = 0; i < d; i++) {
    const u = rand();
    if (u < 0.15) x[i] = 0;
    else if (u < 0.3 && i > 0) x[i] = (rand() < 0.5 ? -1 : 1) * Math.abs(x[Math.floor(rand() * i)] as number);
  }
  return x;
}

describe('SEF value, k-support norm and gradient', () => {
  it('special cases: k >= d is 1/2||x||^2, k = 1 is 1/2||x||_1^2, nnz <= k is 1/2||x||^2', () => {
    expect(sefValue([3, -4], 2)).toBe(12.5);
    expect(sefValue([3, -4], 5)).toBe(12.5);
    expect(sefValue([3, -4, 1], 1)).toBe(32);
    expect(sefValue([3, 0, -4, 0], 2)).toBe(12.5);
    expect(sefValue([3, -1, 1], 2)).toBe(6.5);
    expect(kSupportNorm([3, -1, 1], 1)).toBe(5);
    expect(kSupportNorm([3, -4], 2)).toBe(5);
    expect(sefValue([], 1)).toBe(0);
    expect(Array.from(sefGradient([3, -1, 1], 2))).toEqual([3, -2, 2]);
  });

  it('Fenchel-Young: SEF(x) = <x, g> - SEF*(g) at the gradient and SEF(x) >= <x, y> - SEF*(y) for all y', () => {
    const rand = seededRandom(21);
    for (let trial = 0; trial < 3000; trial++) {
      const d = 1 + Math.floor(rand() * 30);
      const k = 1 + Math.floor(rand() * (d + 1));
      const x = randomVector(rand, d);
      const f = sefValue(x, k);
      const g = sefGradient(x, k);
      const scale = 1 + dot(x, x);
      expect(Math.abs(f - (dot(x, g) - conjugate(g, k)))).toBeLessThanOrEqual(1e-12 * scale);
      for (let p = 0; p < 5; p++) {
        const y = Float64Array.from(g, (gi) => gi + (rand() * 2 - 1) * 10 ** (-3 * rand()));
        expect(f).toBeGreaterThanOrEqual(dot(x, y) - conjugate(y, k) - 1e-12 * scale);
      }
    }
  });

  it('is a norm squared: between 1/2||x||_2^2 and 1/2||x||_1^2, absolutely homogeneous of degree 2', () => {
    const rand = seededRandom(22);
    for (let trial = 0; trial < 1000; trial++) {
      const d = 1 + Math.floor(rand() * 20);
      const k = 1 + Math.floor(rand() * d);
      const x = randomVector(rand, d);
      const l1 = x.reduce((p, q) => p + Math.abs(q), 0);
      const f = sefValue(x, k);
      expect(f).toBeGreaterThanOrEqual(0.5 * dot(x, x) * (1 - 1e-12));
      expect(f).toBeLessThanOrEqual(0.5 * l1 * l1 * (1 + 1e-12));
      expect(
        sefValue(
          x.map((v) => -2 * v),
          k,
        ),
      ).toBeCloseTo(4 * f, 10);
    }
  });
});

describe('sefProx', () => {
  it('keeps signs and at least k nonzero entries; rejects NaN', () => {
    const x = [3, -2, 0.5, -0.1];
    const y = sefProx(x, { k: 2, lambda: 0.5 });
    expect(Math.sign(y[0] as number)).toBe(1);
    expect(Math.sign(y[1] as number)).toBe(-1);
    expect(Array.from(y).filter((v) => v !== 0).length).toBeGreaterThanOrEqual(2);
    expect(Array.from(sefProx([3, 2, 0.5], { k: 1, lambda: 0.5 }))).toEqual([1.75, 0.75, 0]);
    expect(() => sefProx([1, Number.NaN], { k: 1, lambda: 1 })).toThrow(
      /sefProx: 'x' must contain only finite numbers; received NaN at index 1/,
    );
    expect(() => sefValue([1, 2], 0)).toThrow(/sefValue: option 'k' must be an integer >= 1/);
  });
});
