/**
 * The shared per-term reduction and scaling, through the synchronous model-path adapters
 * (groupProductSums, scaleTerm) and against the async public path (groupSquaredNorms, scaleGroups).
 */
import type { LayoutTerm } from '@klevel/groups';
import { describeBackends, expectArraysClose, expectNoLeaks, seededRandom } from '@klevel/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { groupProductSums, scaleTerm } from '../regularizer/device';
import { groupSquaredNorms } from './layout';
import { scaleGroups } from './scale';
import { termShapeGeometry } from './term-ops';

function term(shape: number[], groupAxes: number[], groupIds: Int32Array): LayoutTerm {
  return { variableName: 'v', layerName: 'l', weightName: 'kernel', shape, groupAxes, groupIds };
}

function randomTensor(rand: () => number, shape: number[]): tf.Tensor {
  const n = shape.reduce((p, q) => p * q, 1);
  return tf.tensor(
    Float32Array.from({ length: n }, () => rand() * 2 - 1),
    shape,
  );
}

/** Host float64 per-group sums of a*b for one term (element -> position by row-major groupAxes). */
function hostProductSums(t: LayoutTerm, a: tf.Tensor, b: tf.Tensor, m: number): Float64Array {
  const av = a.dataSync();
  const bv = b.dataSync();
  const out = new Float64Array(m);
  const idx = new Array(t.shape.length).fill(0);
  for (let e = 0; e < av.length; e++) {
    let p = 0;
    for (const ax of t.groupAxes) p = p * (t.shape[ax] as number) + (idx[ax] as number);
    const g = t.groupIds[p] as number;
    if (g >= 0) out[g] = (out[g] as number) + (av[e] as number) * (bv[e] as number);
    for (let d = t.shape.length - 1; d >= 0; d--) {
      idx[d]++;
      if (idx[d] < (t.shape[d] as number)) break;
      idx[d] = 0;
    }
  }
  return out;
}

it('termShapeGeometry splits contiguous and non-contiguous group axes', () => {
  expect(termShapeGeometry([3, 3, 8, 16], [3])).toEqual({
    positions: 16,
    perPosition: 72,
    contiguous: true,
    outer: 72,
    inner: 1,
    scaleShape: [16],
    reduceAxes: [0, 1, 2],
  });
  const g = termShapeGeometry([2, 3, 4, 5], [1, 3]);
  expect([g.positions, g.perPosition, g.contiguous, g.scaleShape, g.reduceAxes]).toEqual([
    15,
    8,
    false,
    [3, 1, 5],
    [0, 2],
  ]);
  expect(termShapeGeometry([4, 6], []).scaleShape).toEqual([]);
});

describeBackends('shared term reduction and scaling', () => {
  it('groupProductSums (sync) equals host sums of a*b and of squares on every reduction route', async () => {
    const rand = seededRandom(21);
    const layouts: Array<[number[], number[]]> = [
      [[10, 20000], [1]], // wide: channels folded under the wasm pool cap
      [[9, 10007], [1]], // prime width: ones-matmul fallback
      [[5000, 3], [1]], // tall
      [[3, 9000, 2], [1]], // inner axis summed first
      [
        [2, 3, 4, 5],
        [1, 3],
      ], // non-contiguous group axes
      [[4, 6], []], // whole tensor is one position
      [[7], [0]], // one element per position
    ];
    for (const [shape, axes] of layouts) {
      const positions = axes.reduce((p, ax) => p * (shape[ax] as number), 1);
      const m = Math.max(1, Math.floor(positions / 2));
      // Two positions per group, every fifth position in no group.
      const ids = Int32Array.from({ length: positions }, (_, p) =>
        p % 5 === 4 ? -1 : Math.floor(p / 2) % m,
      );
      const t = term(shape, axes, ids);
      const a = randomTensor(rand, shape);
      const b = randomTensor(rand, shape);
      const [sq, dot] = (await expectNoLeaks(() => groupProductSums([t], m, [[[a, a]], [[a, b]]]))) as [
        Float64Array,
        Float64Array,
      ];
      expectArraysClose(sq, hostProductSums(t, a, a, m), 1e-5);
      // Inner products can cancel: compare with an absolute floor relative to the squared norms.
      const ref = hostProductSums(t, a, b, m);
      const scale = Math.max(...sq);
      for (let j = 0; j < m; j++)
        expect(Math.abs((dot[j] as number) - (ref[j] as number))).toBeLessThan(1e-5 * scale);
      tf.dispose([a, b]);
    }
  });

  it('groupProductSums and the async groupSquaredNorms agree (same device reduction)', async () => {
    const rand = seededRandom(22);
    const ids = Int32Array.from({ length: 300 }, (_, p) => p % 100);
    const t = term([3, 3, 4, 300], [3], ids);
    const x = randomTensor(rand, t.shape);
    const [sync] = groupProductSums([t], 100, [[[x, x]]]) as [Float64Array];
    const asyncSq = await groupSquaredNorms([{ tensor: x, groupAxes: [3], groupIds: ids }], 100);
    expectArraysClose(sync, asyncSq, 1e-6);
    x.dispose();
  });

  it('scaleTerm equals scaleGroups (ids -1 keep 1) and applies `unassigned` to ids -1', async () => {
    const rand = seededRandom(23);
    const ids = Int32Array.of(0, -1, 1, 2);
    const t = term([2, 4, 3], [1], ids);
    const x = randomTensor(rand, t.shape);
    const scales = [2, 0, -0.5];
    const y1 = await expectNoLeaks(() => scaleTerm(t, x, scales), 1);
    const [y2] = scaleGroups([{ tensor: x, groupAxes: [1], groupIds: ids }], scales);
    expect(Array.from(y1.dataSync())).toEqual(Array.from((y2 as tf.Tensor).dataSync()));
    const z = scaleTerm(t, x, scales, 0);
    const xv = x.dataSync();
    const zv = z.dataSync();
    for (let e = 0; e < xv.length; e++) {
      const g = ids[Math.floor(e / 3) % 4] as number;
      expect(zv[e]).toBeCloseTo(g >= 0 ? (xv[e] as number) * (scales[g] as number) : 0, 6);
    }
    tf.dispose([x, y1, y2 as tf.Tensor, z]);
  });
});
