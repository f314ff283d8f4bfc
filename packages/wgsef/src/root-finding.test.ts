import { describe, expect, it } from 'vitest';
import { seededRandom } from './__fixtures__/random-cases';
import { bracketBySelect, bracketBySort } from './root-finding';

/** Breakpoint arrays of the weighted SEF prox for norms a, weights w, penalty lambda. */
function breakpoints(a: number[], w: number[], lambda: number) {
  const n = a.length;
  const lo = Float64Array.from(a, (x, j) => (lambda * (w[j] as number)) / x);
  const hi = Float64Array.from(a, (x, j) => (1 + lambda * (w[j] as number) ** 2) / ((w[j] as number) * x));
  const wa = Float64Array.from(a, (x, j) => (w[j] as number) * x);
  return { lo, hi, wa, n };
}

function phi(c: number, b: ReturnType<typeof breakpoints>): number {
  let s = 0;
  for (let j = 0; j < b.n; j++)
    s += Math.min(1, Math.max(0, (c - (b.lo[j] as number)) * (b.wa[j] as number)));
  return s;
}

describe('bracketing strategies', () => {
  it('return the same bracket of consecutive breakpoints with Phi(cL) < k <= Phi(cR), for orderings that defeat sampling', () => {
    const rand = seededRandom(61);
    const orderings: Array<(m: number) => number[]> = [
      (m) => Array.from({ length: m }, () => 0.01 + rand()),
      (m) => Array.from({ length: m }, (_, j) => 1 + j), // ascending
      (m) => Array.from({ length: m }, (_, j) => m - j), // descending
      (m) => Array.from({ length: m }, (_, j) => (j % 97 === 0 ? 1e3 + j : 1 + rand() * 1e-3)), // strided outliers
      (m) => Array.from({ length: m }, (_, j) => (j % 2 ? 1e-3 * (1 + j) : 1e3 * (1 + j))),
      (m) => Array.from({ length: m }, () => 2), // all tied
    ];
    let exactRounds = 0;
    for (const make of orderings) {
      for (const m of [2, 3, 40, 1000, 5000]) {
        const a = make(m);
        const w = Array.from({ length: m }, (_, j) => 1 + (j % 3));
        for (const lambda of [1e-3, 0.1, 10]) {
          for (const k of [1, Math.max(1, m >> 2), m - 1]) {
            if (k >= m) continue;
            const stats = { rounds: 0, exactRounds: 0 };
            const b1 = breakpoints(a, w, lambda);
            const [sL, sR] = bracketBySort(b1.lo, b1.hi, b1.wa, m, k);
            const b2 = breakpoints(a, w, lambda);
            const { cL: qL, cR: qR, c } = bracketBySelect(b2.lo, b2.hi, b2.wa, m, k, undefined, stats);
            // c solves Phi(c) = k inside the bracket; NaN only when Phi is flat (no middle group): then cR
            const root = Number.isNaN(c) ? qR : c;
            expect(root).toBeGreaterThanOrEqual(qL * (1 - 1e-12));
            expect(root).toBeLessThanOrEqual(qR * (1 + 1e-12));
            expect(Math.abs(phi(root, breakpoints(a, w, lambda)) - k)).toBeLessThanOrEqual(1e-9 * k);
            exactRounds += stats.exactRounds;
            const b = breakpoints(a, w, lambda);
            expect(phi(sL, b)).toBeLessThan(k);
            expect(phi(sR, b)).toBeGreaterThanOrEqual(k - 1e-9);
            // both brackets contain the root and no breakpoint lies strictly inside either
            expect([qL, qR]).toEqual([sL, sR]);
            // rounds stay logarithmic-ish (each round removes a constant fraction or falls back)
            expect(stats.rounds).toBeLessThanOrEqual(4 * Math.log2(2 * m) + 4);
          }
        }
      }
    }
    expect(exactRounds, 'the exact-median fallback ran at least once').toBeGreaterThan(0);
  });
});
