import { describe, expect, it } from 'vitest';
import { seededRandom } from './__fixtures__/random-cases';
import { type Breakpoints, groupBreakpoints, phiAt } from './breakpoints';
import { bracketBySelect, bracketBySort } from './root-finding';

function breakpointsOf(a: number[], w: number[], lambda: number): Breakpoints {
  return groupBreakpoints(a, w, lambda, Math.max(...a));
}

/** A copy that survives the next groupBreakpoints call (its arrays are scratch). */
function copy(bp: Breakpoints): Breakpoints {
  return { ...bp, lo: bp.lo.slice(), hi: bp.hi.slice(), wa: bp.wa.slice() };
}

describe('bracketing strategies', () => {
  it('return the same bracket of consecutive breakpoints with Phi(lower) < k <= Phi(upper), for orderings that defeat sampling', () => {
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
            const bp = copy(breakpointsOf(a, w, lambda));
            const bySort = bracketBySort(bp, k);
            const bySelect = bracketBySelect(bp, k);
            const phi = (c: number) => phiAt(c, bp.lo, bp.wa, m);
            expect(phi(bySort.lower)).toBeLessThan(k);
            expect(phi(bySort.upper)).toBeGreaterThanOrEqual(k - 1e-9);
            let inside = 0;
            for (let j = 0; j < m; j++) {
              for (const b of [bp.lo[j] as number, bp.hi[j] as number]) {
                if (b > bySort.lower && b < bySort.upper) inside++;
              }
            }
            expect(inside, 'breakpoints strictly inside the bracket').toBe(0);
            expect([bySelect.lower, bySelect.upper]).toEqual([bySort.lower, bySort.upper]);
            // each round removes a constant fraction of the breakpoints inside, or the next one does
            expect(bySelect.rounds).toBeLessThanOrEqual(4 * Math.log2(2 * m) + 4);
            exactRounds += bySelect.exactRounds;
          }
        }
      }
    }
    expect(exactRounds, 'an ordering fooled the sample and the exact median took over').toBeGreaterThan(0);
  });

  it('leave the arrays of the breakpoints unchanged (the prox reads them after the search)', () => {
    const rand = seededRandom(62);
    const a = Array.from({ length: 300 }, () => rand());
    const w = Array.from({ length: 300 }, () => 1 + rand());
    const bp = breakpointsOf(a, w, 0.1);
    const before = copy(bp);
    bracketBySelect(bp, 90);
    bracketBySort(bp, 90);
    expect(bp).toEqual(before);
  });
});
