import { describe, expect, it } from 'vitest';
import { randomGroupedVector, seededRandom } from './__fixtures__/random-cases';
import { segmentNorms } from './group-norms';
import { sefProx, sefValue } from './sef';
import { wgsefGradient, wgsefProx, wgsefValue } from './wgsef';

function dist(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += ((x[i] as number) - (y[i] as number)) ** 2;
  return Math.sqrt(s);
}

function randomWeights(rand: () => number, offsets: number[]): number[] | undefined {
  const m = offsets.length - 1;
  const u = rand();
  if (u < 0.4) return undefined; // default sqrt(size)
  if (u < 0.6) return Array.from({ length: m }, () => 1);
  return Array.from({ length: m }, () => 0.3 + 2.7 * rand());
}

describe('wgsefValue', () => {
  it('is SEF of the weighted group norms; k = 1, k >= m and default weights', () => {
    expect(wgsefValue([3, 4, 1, 0], [0, 2, 4], { k: 1, weights: [1, 1] })).toBe(18);
    expect(wgsefValue([3, 4, 1, 0], [0, 2, 4], { k: 2, weights: [1, 1] })).toBe(13);
    expect(wgsefValue([3, 4, 1, 0], [0, 2, 4], { k: 7, weights: [2, 1] })).toBe(0.5 * (100 + 1));
    // default weights sqrt(2): b = [5 sqrt2, sqrt2]
    expect(wgsefValue([3, 4, 1, 0], [0, 2, 4], { k: 1 })).toBeCloseTo(0.5 * 2 * 36, 12);
    expect(wgsefValue(new Float32Array([3, 4]), [0, 2], { k: 1 })).toBeCloseTo(25, 12);
  });

  it('singleton groups with unit weights equal SEF', () => {
    const rand = seededRandom(31);
    for (let trial = 0; trial < 500; trial++) {
      const d = 1 + Math.floor(rand() * 20);
      const x = Array.from({ length: d }, () => rand() * 2 - 1);
      const k = 1 + Math.floor(rand() * d);
      const offsets = Array.from({ length: d + 1 }, (_, i) => i);
      expect(wgsefValue(x, offsets, { k, weights: new Array(d).fill(1) })).toBeCloseTo(sefValue(x, k), 12);
    }
  });
});

describe('wgsefProx', () => {
  it('minimises 1/2||x - v||^2 + lambda WGSEF(x): no random perturbation does better (2000 cases)', () => {
    const rand = seededRandom(32);
    for (let trial = 0; trial < 2000; trial++) {
      const m = 1 + Math.floor(rand() * 12);
      const { v, offsets } = randomGroupedVector(rand, m, 4);
      const weights = randomWeights(rand, offsets);
      const k = 1 + Math.floor(rand() * (m + 1));
      const lambda = 10 ** (rand() * 4 - 3);
      const x = wgsefProx(v, offsets, { k, lambda, weights });
      const J = (y: ArrayLike<number>) =>
        0.5 * dist(y, v) ** 2 + lambda * wgsefValue(y, offsets, { k, weights });
      const j0 = J(x);
      const scale = 1 + dist(v, new Float64Array(v.length)) ** 2;
      for (let p = 0; p < 10; p++) {
        const eps = 10 ** (-1 - 5 * rand());
        const y = Float64Array.from(x, (xi) => xi + eps * (rand() * 2 - 1));
        expect(j0).toBeLessThanOrEqual(J(y) + 1e-13 * scale);
      }
    }
  });

  it('at least k nonzero groups out whenever more than k come in; zero groups stay zero', () => {
    const rand = seededRandom(33);
    for (let trial = 0; trial < 1000; trial++) {
      const m = 1 + Math.floor(rand() * 30);
      const { v, offsets } = randomGroupedVector(rand, m, 5);
      const k = 1 + Math.floor(rand() * m);
      const x = wgsefProx(v, offsets, {
        k,
        lambda: 10 ** (rand() * 6 - 3),
        weights: randomWeights(rand, offsets),
      });
      const before = segmentNorms(v, offsets);
      const after = segmentNorms(x, offsets);
      const nzIn = before.filter((a) => a > 0).length;
      const nzOut = after.filter((a) => a > 0).length;
      expect(nzOut).toBeGreaterThanOrEqual(Math.min(k, nzIn));
      before.forEach((a, j) => {
        if (a === 0) expect(after[j]).toBe(0);
      });
    }
  });

  it('singleton groups with unit weights equal the SEF prox', () => {
    const rand = seededRandom(34);
    for (let trial = 0; trial < 500; trial++) {
      const d = 1 + Math.floor(rand() * 25);
      const x = Array.from({ length: d }, () => (rand() < 0.1 ? 0 : rand() * 2 - 1));
      const k = 1 + Math.floor(rand() * d);
      const lambda = 10 ** (rand() * 3 - 2);
      const offsets = Array.from({ length: d + 1 }, (_, i) => i);
      const a = wgsefProx(x, offsets, { k, lambda, weights: new Array(d).fill(1) });
      expect(dist(a, sefProx(x, { k, lambda }))).toBeLessThanOrEqual(1e-14);
    }
  });

  it('is sign-equivariant, group-permutation-equivariant and non-expansive', () => {
    const rand = seededRandom(35);
    for (let trial = 0; trial < 500; trial++) {
      const m = 1 + Math.floor(rand() * 15);
      const { v, offsets } = randomGroupedVector(rand, m, 4);
      const weights = Array.from({ length: m }, () => 0.3 + 2.7 * rand());
      const opts = { k: 1 + Math.floor(rand() * m), lambda: 10 ** (rand() * 3 - 2), weights };
      const x = wgsefProx(v, offsets, opts);
      // sign flips of arbitrary entries flip the same entries of the output
      const signs = Array.from(v, () => (rand() < 0.5 ? -1 : 1));
      const xs = wgsefProx(
        v.map((vi, i) => vi * (signs[i] as number)),
        offsets,
        opts,
      );
      x.forEach((xi, i) => {
        expect(xs[i]).toBeCloseTo(xi * (signs[i] as number), 13);
      });
      // permute the groups (with their weights)
      const perm = Array.from({ length: m }, (_, j) => j).sort(() => rand() - 0.5);
      const pv: number[] = [];
      const px: number[] = [];
      const po = [0];
      for (const j of perm) {
        for (let i = offsets[j] as number; i < (offsets[j + 1] as number); i++) {
          pv.push(v[i] as number);
          px.push(x[i] as number);
        }
        po.push(pv.length);
      }
      const y = wgsefProx(pv, po, { ...opts, weights: perm.map((j) => weights[j] as number) });
      expect(dist(y, px)).toBeLessThanOrEqual(1e-12 * (1 + dist(v, new Float64Array(v.length))));
      // non-expansive
      const u = v.map((vi) => vi + (rand() - 0.5) * 0.3);
      expect(dist(wgsefProx(u, offsets, opts), x)).toBeLessThanOrEqual(dist(u, v) * (1 + 1e-12));
    }
  });

  it('differs from the naive "unweighted SEF prox on w*a, then divide by w" with non-uniform weights', () => {
    const v = [3, 0, 0, 2, 0, 0, 1.5, 0, 0];
    const offsets = [0, 3, 6, 9];
    const weights = [1, 3, 0.5];
    const opts = { k: 1, lambda: 0.2, weights };
    const x = wgsefProx(v, offsets, opts);
    const a = segmentNorms(v, offsets);
    const naiveT = sefProx(
      Array.from(a, (aj, j) => aj * (weights[j] as number)),
      { k: 1, lambda: 0.2 },
    ).map((t, j) => t / (weights[j] as number));
    const J = (y: ArrayLike<number>) => 0.5 * dist(y, v) ** 2 + 0.2 * wgsefValue(y, offsets, opts);
    const naiveX = v.map(
      (vi, i) => vi * ((naiveT[Math.min(2, Math.floor(i / 3))] as number) / (a[Math.floor(i / 3)] as number)),
    );
    expect(dist(x, naiveX)).toBeGreaterThan(1e-3);
    expect(J(x)).toBeLessThan(J(naiveX));
  });

  it('does not mutate v; accepts Float32Array, Float64Array and number[]', () => {
    const v32 = new Float32Array([3, 0, 2, 0, 0.5, 0]);
    const copy = Float32Array.from(v32);
    const opts = { k: 1, lambda: 0.5, weights: [1, 1, 1] };
    const a = wgsefProx(v32, [0, 2, 4, 6], opts);
    expect(Array.from(v32)).toEqual(Array.from(copy));
    expect(Array.from(a)).toEqual([1.75, 0, 0.75, 0, 0, 0]);
    expect(Array.from(wgsefProx(Array.from(v32), [0, 2, 4, 6], opts))).toEqual(Array.from(a));
    expect(Array.from(wgsefProx(Float64Array.from(v32), new Int32Array([0, 2, 4, 6]), opts))).toEqual(
      Array.from(a),
    );
  });

  it('empty groups are allowed with explicit weights (a zero group) and m = 0 works', () => {
    const x = wgsefProx([3, 4], [0, 0, 2], { k: 1, lambda: 0.1, weights: [1, 1] });
    expect(x[0]).toBeCloseTo(3 / 1.1, 14);
    expect(wgsefProx([], [0], { k: 1, lambda: 1 }).length).toBe(0);
    expect(wgsefValue([], [0], { k: 1 })).toBe(0);
  });
});

describe('wgsefGradient', () => {
  it('matches central finite differences of wgsefValue at generic points', () => {
    const rand = seededRandom(36);
    for (let trial = 0; trial < 300; trial++) {
      const m = 1 + Math.floor(rand() * 10);
      const offsets = [0];
      for (let j = 0; j < m; j++) offsets.push((offsets[j] as number) + 1 + Math.floor(rand() * 4));
      const v = Float64Array.from({ length: offsets[m] as number }, () => rand() * 2 - 1);
      const weights = randomWeights(rand, offsets);
      const k = 1 + Math.floor(rand() * (m + 1));
      const g = wgsefGradient(v, offsets, { k, weights });
      const h = 1e-6;
      for (let i = 0; i < v.length; i++) {
        const up = Float64Array.from(v);
        const dn = Float64Array.from(v);
        up[i] = (up[i] as number) + h;
        dn[i] = (dn[i] as number) - h;
        const fd =
          (wgsefValue(up, offsets, { k, weights }) - wgsefValue(dn, offsets, { k, weights })) / (2 * h);
        expect(Math.abs(fd - (g[i] as number))).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(fd)));
      }
    }
  });

  it('head groups get w^2 x, tail groups w beta x/||x||, zero groups 0', () => {
    const g = wgsefGradient([3, 4, 1, 0, 0, 0], [0, 2, 4, 6], { k: 1, weights: [1, 1, 1] });
    [3.6, 4.8, 6, 0, 0, 0].forEach((e, i) => {
      expect(g[i]).toBeCloseTo(e, 14);
    });
    expect(Array.from(wgsefGradient([3, 4, 1, 0], [0, 2, 4], { k: 2, weights: [2, 1] }))).toEqual([
      12, 16, 1, 0,
    ]);
  });
});

describe('bad input (issue section 4)', () => {
  const v = [1, 2, 3];
  it.each([
    [
      () => wgsefProx(v, [0, 1, 3], { k: 0, lambda: 1 }),
      RangeError,
      /wgsefProx: option 'k' must be an integer >= 1.*received 0.*Fix/,
    ],
    [() => wgsefProx(v, [0, 1, 3], { k: 2.5, lambda: 1 }), RangeError, /'k'.*received 2\.5/],
    [
      () => wgsefProx(v, [0, 1, 3], { k: 1, lambda: -0.1 }),
      RangeError,
      /'lambda' must be finite and >= 0; received -0\.1/,
    ],
    [() => wgsefProx(v, [0, 1, 3], { k: 1, lambda: Number.NaN }), RangeError, /'lambda'.*NaN/],
    [
      () => wgsefProx(v, [1, 3], { k: 1, lambda: 1 }),
      RangeError,
      /'groupOffsets' must start at 0; received 1/,
    ],
    [
      () => wgsefProx(v, [0, 2], { k: 1, lambda: 1 }),
      RangeError,
      /'groupOffsets' must end at v\.length = 3; received 2/,
    ],
    [
      () => wgsefProx(v, [0, 2, 1, 3], { k: 1, lambda: 1 }),
      RangeError,
      /'groupOffsets' must be non-decreasing; received 2 at index 1 followed by 1/,
    ],
    [() => wgsefProx(v, [0, 1, 1, 3], { k: 1, lambda: 1 }), RangeError, /group 1 is empty.*pass 'weights'/],
    [
      () => wgsefProx(v, [0, 1.5, 3], { k: 1, lambda: 1 }),
      TypeError,
      /'groupOffsets' must contain integers; received 1\.5/,
    ],
    [() => wgsefProx(v, [], { k: 1, lambda: 1 }), RangeError, /'groupOffsets' must have at least one entry/],
    [
      () => wgsefProx(v, [0, 1, 3], { k: 1, lambda: 1, weights: [1] }),
      RangeError,
      /'weights' must have one entry per group \(2\); received length 1/,
    ],
    [
      () => wgsefProx(v, [0, 1, 3], { k: 1, lambda: 1, weights: [1, 0] }),
      RangeError,
      /'weights'.*received 0 at index 1/,
    ],
    [
      () => wgsefProx([1, Number.NaN, 3], [0, 1, 3], { k: 1, lambda: 1 }),
      RangeError,
      /'v' must contain only finite numbers; received NaN at index 1/,
    ],
    [
      () => wgsefProx([1, 2, Number.NEGATIVE_INFINITY], [0, 1, 3], { k: 1, lambda: 1 }),
      RangeError,
      /received -Infinity at index 2/,
    ],
    [
      () => wgsefProx('abc' as never, [0, 3], { k: 1, lambda: 1 }),
      TypeError,
      /'v' must be an array-like of numbers/,
    ],
    [
      () => wgsefProx(v, [0, 3], null as never),
      TypeError,
      /wgsefProx: 'options' must be an object; received null/,
    ],
    [() => wgsefValue(v, [0, 3], { k: -1 }), RangeError, /wgsefValue: option 'k'/],
    [() => wgsefGradient([Number.NaN], [0, 1], { k: 1 }), RangeError, /wgsefGradient: 'v'/],
  ])('%#', (call, err, msg) => {
    expect(call).toThrow(err);
    expect(call).toThrow(msg);
  });
});
