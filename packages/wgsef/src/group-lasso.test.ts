import { describe, expect, it } from 'vitest';
import { randomGroupedVector, seededRandom } from './__fixtures__/random-cases';
import { groupLassoNormsProx, groupLassoProx, groupLassoValue } from './group-lasso';
import { segmentNorms } from './group-norms';

function dist(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += ((x[i] as number) - (y[i] as number)) ** 2;
  return Math.sqrt(s);
}

describe('group lasso', () => {
  it('value and prox on a worked example', () => {
    expect(groupLassoValue([3, 4, 1, 0], [0, 2, 4], { weights: [1, 2] })).toBe(7);
    expect(groupLassoValue([3, 4, 1, 0], [0, 2, 4])).toBeCloseTo(6 * Math.SQRT2, 14);
    const x = groupLassoProx([3, 4, 1, 0], [0, 2, 4], { lambda: 2, weights: [1, 1] });
    [1.8, 2.4, 0, 0].forEach((e, i) => {
      expect(x[i]).toBeCloseTo(e, 14);
    });
    expect(Array.from(groupLassoNormsProx([5, 1, 0], { lambda: 2, weights: [1, 1, 3] }))).toEqual([3, 0, 0]);
  });

  it('the prox minimises 1/2||x - v||^2 + lambda GL(x) (random perturbations, 1000 cases)', () => {
    const rand = seededRandom(41);
    for (let trial = 0; trial < 1000; trial++) {
      const m = 1 + Math.floor(rand() * 10);
      const { v, offsets } = randomGroupedVector(rand, m, 4);
      const weights = rand() < 0.5 ? undefined : Array.from({ length: m }, () => 0.3 + 2 * rand());
      const lambda = 10 ** (rand() * 3 - 2);
      const x = groupLassoProx(v, offsets, { lambda, weights });
      const J = (y: ArrayLike<number>) =>
        0.5 * dist(y, v) ** 2 + lambda * groupLassoValue(y, offsets, { weights });
      const j0 = J(x);
      for (let p = 0; p < 10; p++) {
        const eps = 10 ** (-1 - 5 * rand());
        expect(j0).toBeLessThanOrEqual(J(x.map((xi) => xi + eps * (rand() * 2 - 1))) + 1e-13);
      }
      // norms of the output are the norms prox of the input norms
      const w = weights ?? offsets.slice(1).map((o, j) => Math.sqrt(o - (offsets[j] as number)));
      const t = groupLassoNormsProx(segmentNorms(v, offsets), { lambda, weights: w });
      expect(dist(segmentNorms(x, offsets), t)).toBeLessThanOrEqual(1e-12);
    }
  });

  it('validates its input', () => {
    expect(() => groupLassoProx([1, 2], [0, 2], { lambda: -1 })).toThrow(
      /groupLassoProx: option 'lambda' must be finite and >= 0; received -1/,
    );
    expect(() => groupLassoValue([1, Number.NaN], [0, 2])).toThrow(
      /groupLassoValue: 'v' must contain only finite numbers/,
    );
    expect(() => groupLassoNormsProx([1, 2], { lambda: 1, weights: [1] })).toThrow(
      /groupLassoNormsProx: option 'weights' must have one entry per group/,
    );
    expect(() => groupLassoNormsProx([-1], { lambda: 1, weights: [1] })).toThrow(RangeError);
  });
});
