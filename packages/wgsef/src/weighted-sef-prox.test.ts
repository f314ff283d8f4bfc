import { describe, expect, it } from 'vitest';
import { type NormsCase, randomNormsCase, seededRandom } from './__fixtures__/random-cases';
import type { RootMethod } from './root-finding';
import { sefValue } from './sef';
import { weightedSefProx } from './weighted-sef-prox';

/** The prox objective J(t) = 1/2 ||t - a||^2 + lambda SEF_k(w ⊙ t), with SEF from its closed form. */
function objective(c: NormsCase, t: ArrayLike<number>): number {
  let q = 0;
  const b = new Float64Array(t.length);
  for (let j = 0; j < t.length; j++) {
    const d = (t[j] as number) - (c.a[j] as number);
    q += d * d;
    b[j] = (c.w[j] as number) * (t[j] as number);
  }
  return 0.5 * q + c.lambda * sefValue(b, c.k);
}

/**
 * Exhaustive brute force: enumerate every assignment of the groups to head / middle / tail (3^m), form
 * the candidate t (head a/(1+lambda w^2), middle a - tau w with tau solving sum theta = k, tail 0) and
 * keep the one with the smallest objective. The optimum's own assignment is among the candidates, so
 * the minimum over candidates is the exact optimum.
 */
function bruteForce(c: NormsCase): { t: Float64Array; value: number } {
  const m = c.a.length;
  let best = { t: Float64Array.from(c.a), value: objective(c, c.a) };
  const zero = new Float64Array(m);
  if (objective(c, zero) < best.value) best = { t: zero, value: objective(c, zero) };
  const total = 3 ** m;
  const kind = new Int8Array(m);
  for (let code = 0; code < total; code++) {
    let x = code;
    let head = 0;
    let sumWa = 0;
    let sumW2 = 0;
    for (let j = 0; j < m; j++) {
      kind[j] = x % 3;
      x = Math.floor(x / 3);
      const wj = c.w[j] as number;
      if (kind[j] === 1) head++;
      if (kind[j] === 2) {
        sumWa += wj * (c.a[j] as number);
        sumW2 += wj * wj;
      }
    }
    const denom = c.k - head + c.lambda * sumW2;
    const tau = sumWa > 0 && denom > 0 ? (c.lambda * sumWa) / denom : 0;
    const t = new Float64Array(m);
    for (let j = 0; j < m; j++) {
      const aj = c.a[j] as number;
      const wj = c.w[j] as number;
      if (kind[j] === 1) t[j] = aj / (1 + c.lambda * wj * wj);
      else if (kind[j] === 2) t[j] = Math.max(0, aj - tau * wj);
    }
    const value = objective(c, t);
    if (value < best.value) best = { t, value };
  }
  return best;
}

function nnz(x: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < x.length; i++) if ((x[i] as number) !== 0) n++;
  return n;
}

function dist(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += ((x[i] as number) - (y[i] as number)) ** 2;
  return Math.sqrt(s);
}

function maxAbs(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s = Math.max(s, Math.abs(x[i] as number));
  return s;
}

const methods: RootMethod[] = ['select', 'sort'];

describe('weightedSefProx: exhaustive brute force', () => {
  it('matches the enumerated optimum on 3000 random cases (m <= 6, zero groups, ties)', () => {
    const rand = seededRandom(11);
    let worst = 0;
    for (let trial = 0; trial < 3000; trial++) {
      const c = randomNormsCase(rand, 1, 6);
      const best = bruteForce(c);
      for (const method of methods) {
        const t = weightedSefProx(c.a, { k: c.k, lambda: c.lambda, weights: c.w, method });
        const scale = maxAbs(c.a) || 1;
        // objective gap: J(t) - J* >= ||t - t*||^2 / 2 by 1-strong convexity
        expect(objective(c, t)).toBeLessThanOrEqual(best.value + 1e-12 * scale * scale);
        worst = Math.max(worst, dist(t, best.t) / scale);
      }
    }
    expect(worst).toBeLessThan(1e-7);
  });

  it('is locally optimal against random perturbations on larger cases (m up to 60)', () => {
    const rand = seededRandom(12);
    for (let trial = 0; trial < 300; trial++) {
      const c = randomNormsCase(rand, 7, 60);
      const t = weightedSefProx(c.a, { k: c.k, lambda: c.lambda, weights: c.w });
      const j0 = objective(c, t);
      const scale = maxAbs(c.a) || 1;
      for (let p = 0; p < 20; p++) {
        const eps = scale * 10 ** (-1 - 4 * rand());
        const u = Float64Array.from(t, (x) => Math.max(0, x + eps * (rand() * 2 - 1)));
        expect(j0).toBeLessThanOrEqual(objective(c, u) + 1e-13 * scale * scale);
      }
    }
  });
});

describe('weightedSefProx: properties', () => {
  it('sort and select agree to 1e-12 on 5000 cases up to m = 300', () => {
    const rand = seededRandom(13);
    for (let trial = 0; trial < 5000; trial++) {
      const c = randomNormsCase(rand, 1, trial < 4000 ? 30 : 300);
      const s = weightedSefProx(c.a, { k: c.k, lambda: c.lambda, weights: c.w, method: 'sort' });
      const q = weightedSefProx(c.a, { k: c.k, lambda: c.lambda, weights: c.w, method: 'select' });
      expect(dist(s, q)).toBeLessThanOrEqual(1e-12 * (maxAbs(c.a) || 1));
    }
  });

  it('keeps at least k groups nonzero when more than k come in, and never grows a norm', () => {
    const rand = seededRandom(14);
    for (let trial = 0; trial < 3000; trial++) {
      const c = randomNormsCase(rand, 1, 80);
      const t = weightedSefProx(c.a, { k: c.k, lambda: c.lambda, weights: c.w });
      expect(nnz(t)).toBeGreaterThanOrEqual(Math.min(c.k, nnz(c.a)));
      let bad = 0;
      for (let j = 0; j < t.length; j++) {
        const tj = t[j] as number;
        if (!(tj >= 0 && tj <= (c.a[j] as number)) || (c.a[j] === 0 && tj !== 0)) bad++;
      }
      expect(bad, `trial ${trial}: entries outside [0, a_j] or nonzero from a zero group`).toBe(0);
    }
  });

  it('leaves exactly k groups (ridge-shrunk top k) under the gap condition a_(k+1) <= lambda/(1+lambda) a_(k)', () => {
    const rand = seededRandom(15);
    for (let trial = 0; trial < 1000; trial++) {
      const m = 2 + Math.floor(rand() * 40);
      const k = 1 + Math.floor(rand() * (m - 1));
      const lambda = 10 ** (rand() * 3 - 2);
      const top = Array.from({ length: k }, () => 1 + rand());
      const ak = Math.min(...top);
      const bound = (lambda / (1 + lambda)) * ak;
      const rest = Array.from({ length: m - k }, () => bound * (rand() < 0.2 ? 1 : rand()));
      const order = Array.from({ length: m }, (_, i) => i).sort(() => rand() - 0.5);
      const a = new Float64Array(m);
      [...top, ...rest].forEach((x, i) => {
        a[order[i] as number] = x;
      });
      const t = weightedSefProx(a, { k, lambda, weights: new Float64Array(m).fill(1) });
      expect(nnz(t)).toBe(k);
      for (let i = 0; i < k; i++) {
        const j = order[i] as number;
        expect(t[j]).toBeCloseTo((a[j] as number) / (1 + lambda), 12);
      }
    }
  });

  it('is non-expansive: ||prox(a) - prox(b)|| <= ||a - b||', () => {
    const rand = seededRandom(16);
    for (let trial = 0; trial < 2000; trial++) {
      const c = randomNormsCase(rand, 1, 40);
      const b = Float64Array.from(c.a, (x) => Math.max(0, x + (rand() - 0.5) * (rand() < 0.5 ? 1e-3 : 1)));
      const ta = weightedSefProx(c.a, { k: c.k, lambda: c.lambda, weights: c.w });
      const tb = weightedSefProx(b, { k: c.k, lambda: c.lambda, weights: c.w });
      expect(dist(ta, tb)).toBeLessThanOrEqual(dist(c.a, b) * (1 + 1e-12) + 1e-15);
    }
  });

  it('is permutation-equivariant', () => {
    const rand = seededRandom(17);
    for (let trial = 0; trial < 1000; trial++) {
      const c = randomNormsCase(rand, 1, 50);
      const m = c.a.length;
      const perm = Array.from({ length: m }, (_, i) => i).sort(() => rand() - 0.5);
      const pa = Float64Array.from(perm, (p) => c.a[p] as number);
      const pw = Float64Array.from(perm, (p) => c.w[p] as number);
      const t = weightedSefProx(c.a, { k: c.k, lambda: c.lambda, weights: c.w });
      const pt = weightedSefProx(pa, { k: c.k, lambda: c.lambda, weights: pw });
      for (let i = 0; i < m; i++) {
        expect(Math.abs((pt[i] as number) - (t[perm[i] as number] as number))).toBeLessThanOrEqual(
          1e-12 * (maxAbs(c.a) || 1),
        );
      }
    }
  });

  it('k >= number of nonzero groups (and k >= m) is the ridge shrink a / (1 + lambda w^2)', () => {
    const a = [3, 0, 2, 1];
    const w = [1, 2, 0.5, 1];
    for (const k of [3, 4, 10]) {
      const t = weightedSefProx(a, { k, lambda: 0.5, weights: w });
      expect(Array.from(t)).toEqual(a.map((x, j) => x / (1 + 0.5 * (w[j] as number) ** 2)));
    }
  });

  it('k = 1: the worked example, and identical groups share the budget', () => {
    expect(Array.from(weightedSefProx([3, 2, 0.5], { k: 1, lambda: 0.5, weights: [1, 1, 1] }))).toEqual([
      1.75, 0.75, 0,
    ]);
    // two identical groups and k = 1: both stay nonzero with theta = 1/2 each (the floor is k, never fewer)
    const t = weightedSefProx([1, 1], { k: 1, lambda: 1, weights: [1, 1] });
    expect(t[0]).toBeCloseTo(t[1] as number, 15);
    expect(t[0]).toBeCloseTo(1 / 3, 14); // theta/(theta + lambda) with theta = 1/2
  });

  it('lambda = 0 is the identity; huge lambda sends everything to ~0; tiny lambda barely moves', () => {
    const rand = seededRandom(18);
    for (let trial = 0; trial < 200; trial++) {
      const c = randomNormsCase(rand, 2, 30);
      expect(Array.from(weightedSefProx(c.a, { k: c.k, lambda: 0, weights: c.w }))).toEqual(Array.from(c.a));
      const big = weightedSefProx(c.a, { k: c.k, lambda: 1e12, weights: c.w });
      for (const x of big) expect(Number.isFinite(x)).toBe(true);
      expect(maxAbs(big)).toBeLessThanOrEqual(1e-9 * (maxAbs(c.a) || 1));
      expect(nnz(big)).toBeGreaterThanOrEqual(Math.min(c.k, nnz(c.a)));
      const small = weightedSefProx(c.a, { k: c.k, lambda: 1e-12, weights: c.w });
      expect(dist(small, c.a)).toBeLessThanOrEqual(1e-9 * (maxAbs(c.a) || 1));
    }
  });

  it('is positively homogeneous and handles tiny and huge norms without overflow', () => {
    const base = { k: 2, lambda: 0.3, weights: [1, 2, 0.5, 1.5] };
    const a = [0.7, 0.2, 1.1, 0.4];
    const t = weightedSefProx(a, base);
    for (const s of [2 ** -1000, 1e-300, 1e-20, 1e20, 1e300]) {
      const ts = weightedSefProx(
        a.map((x) => x * s),
        base,
      );
      for (let j = 0; j < 4; j++) expect((ts[j] as number) / s).toBeCloseTo(t[j] as number, 12);
    }
  });

  it('lambda w^2 beyond 2^53 (a ramp narrower than float64 resolution): tied groups share the budget', () => {
    // J(t) = 1/2 ||t - a||^2 + lambda/2 (t_1 + t_2 + t_3)^2 (k = 1) is minimised at t = (u, u, 0),
    // u = 1 / (1 + 2 lambda): the two tied groups take theta = 1/2 each, not 1.
    const lambda = 1e17;
    const u = 1 / (1 + 2 * lambda);
    for (const method of methods) {
      const t = weightedSefProx([1, 1, 0.5], { k: 1, lambda, weights: [1, 1, 1], method });
      expect(t[0]).toBeCloseTo(u, 30);
      expect(Math.abs((t[0] as number) / u - 1)).toBeLessThan(1e-12);
      expect(t[1]).toBe(t[0]);
      expect(t[2]).toBe(0);
    }
  });

  it('all-zero and empty inputs', () => {
    expect(Array.from(weightedSefProx([0, 0, 0], { k: 1, lambda: 1, weights: [1, 1, 1] }))).toEqual([
      0, 0, 0,
    ]);
    expect(weightedSefProx([], { k: 1, lambda: 1, weights: [] }).length).toBe(0);
  });

  it('does not mutate its inputs', () => {
    const a = Float64Array.of(3, 2, 0.5, 1);
    const w = Float64Array.of(1, 2, 1, 1);
    for (const method of methods) weightedSefProx(a, { k: 1, lambda: 0.5, weights: w, method });
    expect(Array.from(a)).toEqual([3, 2, 0.5, 1]);
    expect(Array.from(w)).toEqual([1, 2, 1, 1]);
  });
});

describe('weightedSefProx: bad input', () => {
  const ok = { k: 1, lambda: 0.5, weights: [1, 1] };
  it.each([
    [{ ...ok, k: 0 }, RangeError, /weightedSefProx: option 'k' must be an integer >= 1.*received 0/],
    [{ ...ok, k: 1.5 }, RangeError, /'k'.*received 1\.5/],
    [{ ...ok, k: '2' }, TypeError, /'k' must be a number.*received "2"/],
    [{ ...ok, lambda: -1 }, RangeError, /'lambda' must be finite and >= 0; received -1/],
    [{ ...ok, lambda: Number.NaN }, RangeError, /'lambda'.*received NaN/],
    [{ ...ok, lambda: Number.POSITIVE_INFINITY }, RangeError, /'lambda'.*received Infinity/],
    [{ ...ok, weights: [1] }, RangeError, /'weights' must have one entry per group \(2\); received length 1/],
    [{ ...ok, weights: [1, 0] }, RangeError, /'weights'.*> 0; received 0 at index 1/],
    [{ ...ok, weights: [1, -2] }, RangeError, /received -2 at index 1/],
    [{ ...ok, weights: undefined }, TypeError, /'weights' must be an array-like/],
    [{ ...ok, method: 'bisect' }, RangeError, /'method' must be 'sort' or 'select'; received "bisect"/],
  ])('rejects %o', (options, err, msg) => {
    expect(() => weightedSefProx([1, 2], options as never)).toThrow(err);
    expect(() => weightedSefProx([1, 2], options as never)).toThrow(msg);
  });
  it.each([
    [[1, Number.NaN], RangeError, /'norms' must contain only finite numbers; received NaN at index 1/],
    [[Number.POSITIVE_INFINITY, 1], RangeError, /received Infinity at index 0/],
    [[1, -1], RangeError, /'norms' must be group norms \(>= 0\); received -1 at index 1/],
    ['ab', TypeError, /'norms' must be an array-like of numbers/],
  ])('rejects norms %o', (norms, err, msg) => {
    expect(() => weightedSefProx(norms as never, ok)).toThrow(err);
    expect(() => weightedSefProx(norms as never, ok)).toThrow(msg);
  });
});
