import { describeBackends, expectArraysClose, expectNoLeaks, seededRandom } from '@klevel/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { groupLassoProx } from '../group-lasso';
import { wgsefProx } from '../wgsef';
import { groupSquaredNorms, layoutGroupSizes, type TensorLayoutTerm } from './layout';
import { groupLassoProxTensors, wgsefProxTensors } from './prox-tensors';
import { scaleGroups } from './scale';

/** Group id of every element of a term (host-side, from the layout definition). */
function elementGroupIds(shape: number[], groupAxes: number[], groupIds: Int32Array): Int32Array {
  const size = shape.reduce((p, q) => p * q, 1);
  const out = new Int32Array(size);
  const idx = new Array(shape.length).fill(0);
  for (let e = 0; e < size; e++) {
    let p = 0;
    for (const ax of groupAxes) p = p * (shape[ax] as number) + (idx[ax] as number);
    out[e] = groupIds[p] as number;
    for (let d = shape.length - 1; d >= 0; d--) {
      idx[d]++;
      if (idx[d] < (shape[d] as number)) break;
      idx[d] = 0;
    }
  }
  return out;
}

/**
 * The host path on the same numbers: gather every element into contiguous groups (in float64), run the
 * host prox, scatter back. Elements of no group are unchanged.
 */
function hostReference(
  terms: TensorLayoutTerm[],
  m: number,
  prox: (v: Float64Array, offsets: number[]) => Float64Array,
): Float64Array[] {
  const data = terms.map((t) => Float64Array.from(t.tensor.dataSync()));
  const ids = terms.map((t) => elementGroupIds(t.tensor.shape, t.groupAxes, t.groupIds));
  const members: Array<Array<[number, number]>> = Array.from({ length: m }, () => []);
  ids.forEach((arr, ti) => {
    arr.forEach((g, e) => {
      if (g >= 0) members[g]?.push([ti, e]);
    });
  });
  const v: number[] = [];
  const offsets = [0];
  for (const list of members) {
    for (const [ti, e] of list) v.push(data[ti]?.[e] as number);
    offsets.push(v.length);
  }
  const x = prox(Float64Array.from(v), offsets);
  const out = data.map((d) => Float64Array.from(d));
  let pos = 0;
  for (const list of members) {
    for (const [ti, e] of list) (out[ti] as Float64Array)[e] = x[pos++] as number;
  }
  return out;
}

function randomTensor(rand: () => number, shape: number[]): tf.Tensor {
  const size = shape.reduce((p, q) => p * q, 1);
  return tf.tensor(
    Float32Array.from({ length: size }, () => rand() * 2 - 1),
    shape,
  );
}

const iota = (n: number) => Int32Array.from({ length: n }, (_, i) => i);

interface Layout {
  name: string;
  make: (rand: () => number) => { terms: TensorLayoutTerm[]; m: number };
}

const layouts: Layout[] = [
  {
    name: 'Conv2D filters [kh,kw,in,out] axis 3 + bias (shared ids)',
    make: (r) => ({
      terms: [
        { tensor: randomTensor(r, [3, 3, 4, 10]), groupAxes: [3], groupIds: iota(10) },
        { tensor: randomTensor(r, [10]), groupAxes: [0], groupIds: iota(10) },
      ],
      m: 10,
    }),
  },
  {
    name: 'Dense units [in,out] axis 1',
    make: (r) => ({
      terms: [{ tensor: randomTensor(r, [7, 12]), groupAxes: [1], groupIds: iota(12) }],
      m: 12,
    }),
  },
  {
    name: 'input channels [kh,kw,in,out] axis 2',
    make: (r) => ({
      terms: [{ tensor: randomTensor(r, [3, 3, 8, 5]), groupAxes: [2], groupIds: iota(8) }],
      m: 8,
    }),
  },
  {
    name: 'filter shapes [kh,kw,in,out] axes 0,1,2',
    make: (r) => ({
      terms: [{ tensor: randomTensor(r, [2, 3, 4, 5]), groupAxes: [0, 1, 2], groupIds: iota(24) }],
      m: 24,
    }),
  },
  {
    name: 'each scalar',
    make: (r) => ({
      terms: [{ tensor: randomTensor(r, [4, 6]), groupAxes: [0, 1], groupIds: iota(24) }],
      m: 24,
    }),
  },
  {
    name: 'whole tensors (one group per layer)',
    make: (r) => ({
      terms: [
        { tensor: randomTensor(r, [3, 3, 2, 4]), groupAxes: [], groupIds: Int32Array.of(0) },
        { tensor: randomTensor(r, [6, 5]), groupAxes: [], groupIds: Int32Array.of(1) },
        { tensor: randomTensor(r, [5]), groupAxes: [], groupIds: Int32Array.of(2) },
      ],
      m: 3,
    }),
  },
  {
    name: 'multi-tensor groups (kernel + bias + BN gamma/beta), some positions in no group',
    make: (r) => {
      const ids = Int32Array.from([0, 1, 2, 3, -1, 4]);
      return {
        terms: [
          { tensor: randomTensor(r, [3, 3, 2, 6]), groupAxes: [3], groupIds: ids },
          { tensor: randomTensor(r, [6]), groupAxes: [0], groupIds: ids },
          { tensor: randomTensor(r, [6]), groupAxes: [0], groupIds: ids },
          { tensor: randomTensor(r, [6]), groupAxes: [0], groupIds: Int32Array.from([0, 1, 2, 3, -1, -1]) },
        ],
        m: 5,
      };
    },
  },
  {
    name: 'non-contiguous group axes [0, 2] (transpose fallback)',
    make: (r) => ({
      terms: [{ tensor: randomTensor(r, [3, 4, 5]), groupAxes: [0, 2], groupIds: iota(15) }],
      m: 15,
    }),
  },
];

describeBackends('tensor prox', () => {
  for (const layout of layouts) {
    it(`${layout.name}: WGSEF and group lasso equal the host path (1e-6), no leaks`, async () => {
      const rand = seededRandom(layout.name.length * 7919);
      const { terms, m } = layout.make(rand);
      const sizes = layoutGroupSizes(terms, m);
      const weights = Array.from(sizes, (s) => Math.sqrt(s));
      for (const k of [1, Math.max(1, Math.floor(m / 3)), m + 1]) {
        for (const lambda of [0.05, 0.5]) {
          const res = await expectNoLeaks(() => wgsefProxTensors(terms, m, { k, lambda }), terms.length);
          const expected = hostReference(terms, m, (v, offsets) =>
            wgsefProx(v, offsets, { k, lambda, weights }),
          );
          res.outputs.forEach((o, i) => {
            expect(o.shape).toEqual(terms[i]?.tensor.shape);
            expectArraysClose(o.dataSync(), expected[i] as Float64Array, 1e-6);
          });
          const nzIn = Array.from(res.normsBefore).filter((a) => a > 0).length;
          expect(Array.from(res.normsAfter).filter((a) => a > 0).length).toBeGreaterThanOrEqual(
            Math.min(k, nzIn),
          );
          tf.dispose(res.outputs);
        }
        const gl = await expectNoLeaks(() => groupLassoProxTensors(terms, m, { lambda: 0.3 }), terms.length);
        const glExpected = hostReference(terms, m, (v, offsets) =>
          groupLassoProx(v, offsets, { lambda: 0.3, weights }),
        );
        gl.outputs.forEach((o, i) => {
          expectArraysClose(o.dataSync(), glExpected[i] as Float64Array, 1e-6);
        });
        tf.dispose(gl.outputs);
      }
      for (const t of terms) t.tensor.dispose();
    });
  }

  it('groupSquaredNorms equals host squared norms and leaves no tensors behind', async () => {
    const rand = seededRandom(5);
    const x = randomTensor(rand, [4, 3, 6]);
    const sq = await expectNoLeaks(() =>
      groupSquaredNorms([{ tensor: x, groupAxes: [2], groupIds: iota(6) }], 6),
    );
    const v = x.dataSync();
    const expected = new Float64Array(6);
    for (let i = 0; i < v.length; i++) expected[i % 6] = (expected[i % 6] as number) + (v[i] as number) ** 2;
    expectArraysClose(sq, expected, 1e-6);
    x.dispose();
  });

  it('groupSquaredNorms on wide, prime-width and tall layouts (channel folding and fallbacks)', async () => {
    const rand = seededRandom(9);
    for (const [outer, cols, inner] of [
      [10, 20000, 1],
      [9, 10007, 1],
      [5000, 3, 1],
      [3, 9000, 2],
      [12, 64, 1],
    ] as Array<[number, number, number]>) {
      const x = randomTensor(rand, [outer, cols, inner]);
      const sq = await expectNoLeaks(() =>
        groupSquaredNorms([{ tensor: x, groupAxes: [1], groupIds: iota(cols) }], cols),
      );
      const v = x.dataSync();
      const expected = new Float64Array(cols);
      for (let i = 0; i < v.length; i++) {
        const col = Math.floor(i / inner) % cols;
        expected[col] = (expected[col] as number) + (v[i] as number) ** 2;
      }
      expectArraysClose(sq, expected, 1e-6);
      x.dispose();
    }
  });

  it('scaleGroups multiplies each group by its scale (ids -1 unchanged) and returns new tensors', async () => {
    const x = tf.tensor2d([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const [y] = await expectNoLeaks(
      () => scaleGroups([{ tensor: x, groupAxes: [1], groupIds: Int32Array.of(0, -1, 1) }], [2, 0]),
      1,
    );
    expect(Array.from((y as tf.Tensor).dataSync())).toEqual([2, 2, 0, 8, 5, 0]);
    expect(Array.from(x.dataSync())).toEqual([1, 2, 3, 4, 5, 6]);
    tf.dispose([x, y as tf.Tensor]);
  });

  it('rejects bad layouts and options with actionable messages', async () => {
    const x = tf.zeros([2, 3]);
    const term = { tensor: x, groupAxes: [1], groupIds: iota(3) };
    await expect(wgsefProxTensors([term], 3, { k: 0, lambda: 1 })).rejects.toThrow(
      /wgsefProxTensors: option 'k'/,
    );
    await expect(wgsefProxTensors([{ ...term, groupAxes: [2] }], 3, { k: 1, lambda: 1 })).rejects.toThrow(
      /terms\[0\]\.groupAxes must be distinct ascending integers in \[0, 2\)/,
    );
    await expect(wgsefProxTensors([{ ...term, groupIds: iota(2) }], 3, { k: 1, lambda: 1 })).rejects.toThrow(
      /groupIds must have one entry per position.*\(3\); received length 2/,
    );
    await expect(wgsefProxTensors([term], 2, { k: 1, lambda: 1 })).rejects.toThrow(
      /groupIds\[2\] must be -1 or a group index in \[0, 2\); received 2/,
    );
    await expect(wgsefProxTensors([term], 4, { k: 1, lambda: 1 })).rejects.toThrow(/group 3 has no scalars/);
    await expect(wgsefProxTensors([term], 3, { k: 1, lambda: 1, weights: [1, 1] })).rejects.toThrow(
      /'weights' must have one entry per group \(3\)/,
    );
    await expect(groupLassoProxTensors([term], 3, { lambda: -1 })).rejects.toThrow(
      /groupLassoProxTensors: option 'lambda'/,
    );
    expect(() => scaleGroups([term], [1, Number.NaN, 1])).toThrow(
      /scaleGroups: 'scales' must contain finite numbers/,
    );
    x.dispose();
  });
});
