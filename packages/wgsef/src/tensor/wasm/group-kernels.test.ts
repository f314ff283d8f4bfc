/**
 * The fused wasm group kernels (norms and rescale on the tfjs-backend-wasm heap) against float64 host
 * sums, the portable tfjs-ops path and tf.mul, over every geometry route (column blocks of 16/4/1, row
 * blocks beyond 16 rows, rows of 16-value chunks beyond 256 values, tails, whole-tensor and per-scalar
 * groups, ids of -1, several terms per group); they must not leak tensors or wasm heap, and they step
 * aside (portable path) when switched off, for non-contiguous group axes and off the wasm backend.
 */
import { describeBackends, expectNoLeaks, seededRandom } from '@klevel/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, expect, it } from 'vitest';
import { groupProductSums, scaleTerm } from '../../regularizer/device';
import { weightedSefProx } from '../../weighted-sef-prox';
import { groupSquaredNorms, type TensorLayoutTerm, termGeometry } from '../layout';
import { wgsefProxTensors } from '../prox-tensors';
import { scaleGroups } from '../scale';
import { termShapeGeometry } from '../term-ops';
import { addFusedSquareSums, fusedKernelsWorkOn, fusedScale, setFusedWasmKernels } from './group-kernels';

/** [shape, groupAxes]: every route of the kernels. */
const GEOMETRIES: Array<[number[], number[]]> = [
  [[5, 5, 4, 1003], [3]], // columns: 16-blocks, 4-blocks, single columns; 100 rows = 7 row blocks
  [[3, 3, 8, 16], [3]], // columns, exactly 16
  [[17, 7], [1]], // columns: 4-block + 3 singles, 17 rows (two row blocks)
  [[1, 10], [1]], // one row
  [[5, 5, 4, 100], [2]], // rows: outer 25, inner 100 (16-chunks + tail)
  [[3, 600], [0]], // rows: inner 600 (three 256-segments + tail)
  [[2, 3, 5, 17], [1, 2]], // contiguous block of two axes, outer 2, inner 17
  [[3, 3, 5, 6], [0, 1, 2]], // filter shapes: inner 6 (< 16: tail only)
  [[3, 3, 5, 6], []], // the whole tensor is one position
  [[4, 17], [0, 1]], // every scalar its own group
  [[7], [0]],
];

function randomTensor(rand: () => number, shape: number[]): tf.Tensor {
  const n = shape.reduce((p, q) => p * q, 1);
  return tf.tensor(
    Float32Array.from({ length: n }, () => (rand() * 2 - 1) * (rand() < 0.1 ? 1e3 : 1)),
    shape,
  );
}

/** float64 host squared norms by group (element -> position row-major over groupAxes). */
function hostSquares(t: TensorLayoutTerm, m: number): Float64Array {
  const v = t.tensor.dataSync();
  const shape = t.tensor.shape;
  const out = new Float64Array(m);
  const idx = new Array(shape.length).fill(0);
  for (let e = 0; e < v.length; e++) {
    let p = 0;
    for (const ax of t.groupAxes) p = p * (shape[ax] as number) + (idx[ax] as number);
    const g = t.groupIds[p] as number;
    if (g >= 0) out[g] = (out[g] as number) + (v[e] as number) ** 2;
    for (let d = shape.length - 1; d >= 0; d--) {
      idx[d]++;
      if (idx[d] < (shape[d] as number)) break;
      idx[d] = 0;
    }
  }
  return out;
}

function maxRelative(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs((a[i] as number) - (b[i] as number));
    worst = Math.max(worst, d / Math.max(Math.abs(b[i] as number), 1e-30));
  }
  return worst;
}

function heapBytes(): number {
  return (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.buffer.byteLength;
}

afterEach(() => setFusedWasmKernels(true));

describeBackends(
  'fused wasm group kernels',
  () => {
    it('run on this backend (the internals they need are present in tfjs-backend-wasm 4.22)', () => {
      const x = tf.ones([4, 8]);
      const g = termShapeGeometry([4, 8], [1]);
      const out = new Float64Array(8);
      expect(addFusedSquareSums(x, g, Int32Array.from({ length: 8 }, (_, i) => i), out)).toBe(true);
      expect(Array.from(out)).toEqual(new Array(8).fill(4));
      const y = fusedScale(x, g, Int32Array.from({ length: 8 }, (_, i) => i), Float64Array.from({ length: 8 }, (_, i) => i), 1);
      expect(y).toBeDefined();
      expect(Array.from((y as tf.Tensor).dataSync())).toEqual(Array.from({ length: 32 }, (_, e) => e % 8));
      tf.dispose([x, y as tf.Tensor]);
    });

    it('are set up only when a self-check on known numbers passes through the backend internals', () => {
      const real = tf.backend() as unknown as { dataIdMap: { get(id: object): { memoryOffset: number } } };
      expect(fusedKernelsWorkOn(real)).toBe(true);
      // The same backend with tensor offsets that mean something else (as a changed tfjs might): every
      // tensor resolves to one zero-filled block, big enough that nothing is read or written outside it.
      const dummy = tf.zeros([1024]);
      const dummyOffset = real.dataIdMap.get(dummy.dataId).memoryOffset;
      const remapped = Object.create(real, {
        dataIdMap: { value: { get: () => ({ memoryOffset: dummyOffset }) } },
      });
      expect(fusedKernelsWorkOn(remapped)).toBe(false);
      dummy.dispose();
      expect(fusedKernelsWorkOn({ wasm: {}, dataIdMap: real.dataIdMap })).toBe(false);
    });

    it('group norms equal float64 host sums (2e-7 relative) and the portable path on every route', async () => {
      const rand = seededRandom(11);
      for (const [shape, axes] of GEOMETRIES) {
        const x = randomTensor(rand, shape);
        const P = axes.reduce((p, a) => p * (shape[a] as number), 1);
        // ids: groups of 1..3 positions, some positions in no group
        const ids = Int32Array.from({ length: P }, (_, p) => (p % 5 === 4 ? -1 : Math.floor(p / 2)));
        const m = Math.max(1, Math.floor(P / 2) + 1);
        const term = { tensor: x, groupAxes: axes, groupIds: ids };
        const fused = await groupSquaredNorms([term], m);
        const exact = hostSquares(term, m);
        expect(maxRelative(fused, exact), `${shape} / [${axes}]`).toBeLessThan(2e-7);
        setFusedWasmKernels(false);
        const portable = await groupSquaredNorms([term], m);
        setFusedWasmKernels(true);
        // The portable path sums in float32 (tfjs ops): its error is the larger one.
        expect(maxRelative(portable, exact), `${shape} / [${axes}] portable`).toBeLessThan(2e-5);
        x.dispose();
      }
    });

    it('groups spanning several terms add up (kernel + bias), in the sync model path too', async () => {
      const rand = seededRandom(5);
      const kernel = randomTensor(rand, [3, 3, 6, 20]);
      const bias = randomTensor(rand, [20]);
      const ids = Int32Array.from({ length: 20 }, (_, i) => i);
      const terms = [
        { tensor: kernel, groupAxes: [3], groupIds: ids },
        { tensor: bias, groupAxes: [0], groupIds: ids },
      ];
      const exact = hostSquares(terms[0] as TensorLayoutTerm, 20).map(
        (v, j) => v + (hostSquares(terms[1] as TensorLayoutTerm, 20)[j] as number),
      );
      expect(maxRelative(await groupSquaredNorms(terms, 20), exact)).toBeLessThan(2e-7);
      const layout = terms.map((t) => ({
        variableName: 'v',
        layerName: 'l',
        weightName: 'w',
        shape: t.tensor.shape,
        groupAxes: t.groupAxes,
        groupIds: t.groupIds,
      }));
      const [sync] = groupProductSums(layout, 20, [terms.map((t) => [t.tensor, t.tensor] as const)]);
      expect(maxRelative(sync as Float64Array, exact)).toBeLessThan(2e-7);
      tf.dispose([kernel, bias]);
    });

    it('ids forming one run base + p take the slice path with the same results as a gather', async () => {
      const rand = seededRandom(13);
      const x = randomTensor(rand, [3, 3, 4, 40]);
      const b = randomTensor(rand, [40]);
      const run = Int32Array.from({ length: 40 }, (_, p) => 7 + p); // groups 7..46 of 50
      const shuffled = Int32Array.from(run).reverse(); // same groups, not a run
      const geoRun = termGeometry('t', { tensor: x, groupAxes: [3], groupIds: run }, 0, 50);
      expect(geoRun.idRunBase).toBe(7);
      expect(termGeometry('t', { tensor: x, groupAxes: [3], groupIds: shuffled }, 0, 50).idRunBase).toBeUndefined();
      const broken = Int32Array.from(run);
      broken[39] = 49;
      expect(termGeometry('t', { tensor: x, groupAxes: [3], groupIds: broken }, 0, 50).idRunBase).toBeUndefined();
      const startsUnassigned = Int32Array.from(run);
      startsUnassigned[0] = -1;
      expect(termGeometry('t', { tensor: x, groupAxes: [3], groupIds: startsUnassigned }, 0, 50).idRunBase).toBeUndefined();
      // Kernel + bias sharing the run, against the same layout written through a permutation.
      const perm = Int32Array.from({ length: 40 }, (_, p) => 39 - p);
      const xPerm = tf.reverse(x, 3);
      const bPerm = tf.reverse(b, 0);
      const viaRun = [
        { tensor: x, groupAxes: [3], groupIds: run },
        { tensor: b, groupAxes: [0], groupIds: run },
      ];
      const viaGather = [
        { tensor: xPerm, groupAxes: [3], groupIds: Int32Array.from(perm, (q) => 7 + q) },
        { tensor: bPerm, groupAxes: [0], groupIds: Int32Array.from(perm, (q) => 7 + q) },
      ];
      const weights = Float64Array.from({ length: 50 }, (_, j) => 1 + (j % 3));
      const r1 = await wgsefProxTensors(viaRun, 50, { k: 10, lambda: 0.05, weights });
      const r2 = await wgsefProxTensors(viaGather, 50, { k: 10, lambda: 0.05, weights });
      expect(maxRelative(r1.normsBefore, r2.normsBefore)).toBeLessThan(1e-12);
      expect(Array.from(r1.normsAfter)).toEqual(Array.from(r2.normsAfter));
      const back = tf.reverse(r2.outputs[0] as tf.Tensor, 3);
      expect(Array.from((r1.outputs[0] as tf.Tensor).dataSync())).toEqual(Array.from(back.dataSync()));
      tf.dispose([x, b, xPerm, bPerm, back, ...r1.outputs, ...r2.outputs]);
    });

    it('the rescale writes exactly the float32 products of tf.mul (ids of -1 keep factor 1)', () => {
      const rand = seededRandom(9);
      for (const [shape, axes] of GEOMETRIES) {
        const x = randomTensor(rand, shape);
        const P = axes.reduce((p, a) => p * (shape[a] as number), 1);
        const ids = Int32Array.from({ length: P }, (_, p) => (p % 3 === 2 ? -1 : p));
        const scales = Float64Array.from({ length: P }, () => rand() * 3 - 1);
        const [fused] = scaleGroups([{ tensor: x, groupAxes: axes, groupIds: ids }], scales);
        setFusedWasmKernels(false);
        const [portable] = scaleGroups([{ tensor: x, groupAxes: axes, groupIds: ids }], scales);
        setFusedWasmKernels(true);
        expect(Array.from((fused as tf.Tensor).dataSync()), `${shape} / [${axes}]`).toEqual(
          Array.from((portable as tf.Tensor).dataSync()),
        );
        expect((fused as tf.Tensor).shape).toEqual(shape);
        tf.dispose([x, fused as tf.Tensor, portable as tf.Tensor]);
      }
    });

    it('the full tensor prox equals the host prox on float64 norms, closer than the portable path', async () => {
      const rand = seededRandom(21);
      const x = randomTensor(rand, [5, 5, 4, 300]);
      const ids = Int32Array.from({ length: 300 }, (_, i) => i);
      const terms = [{ tensor: x, groupAxes: [3], groupIds: ids }];
      const opts = { k: 40, lambda: 0.05 };
      const exactNorms = hostSquares(terms[0] as TensorLayoutTerm, 300).map(Math.sqrt);
      const expected = weightedSefProx(exactNorms, { ...opts, weights: new Float64Array(300).fill(10) });
      const maxNorm = Math.max(...exactNorms);
      const worstAbs = (t: Float64Array) => Math.max(...Array.from(t, (v, j) => Math.abs(v - (expected[j] as number))));
      const fused = await wgsefProxTensors(terms, 300, opts);
      setFusedWasmKernels(false);
      const portable = await wgsefProxTensors(terms, 300, opts);
      setFusedWasmKernels(true);
      expect(worstAbs(fused.normsAfter)).toBeLessThan(1e-7 * maxNorm);
      expect(worstAbs(portable.normsAfter)).toBeLessThan(1e-5 * maxNorm);
      const kept = (t: Float64Array) => Array.from(t, (v) => v > 0);
      expect(kept(fused.normsAfter)).toEqual(kept(expected));
      // Outputs: x_j * t_j / a_j per filter.
      const xv = x.dataSync();
      const out = (fused.outputs[0] as tf.Tensor).dataSync();
      let worst = 0;
      for (let e = 0; e < xv.length; e++) {
        const j = e % 300;
        const want = (xv[e] as number) * ((expected[j] as number) / (exactNorms[j] as number));
        worst = Math.max(worst, Math.abs((out[e] as number) - want));
      }
      expect(worst).toBeLessThan(1e-6 * Math.max(...Array.from(xv, Math.abs)));
      tf.dispose([x, ...fused.outputs, ...portable.outputs]);
    });

    it('leaks neither tensors nor wasm heap over 300 calls of each public operation', async () => {
      const rand = seededRandom(2);
      const x = randomTensor(rand, [3, 3, 16, 64]);
      const ids = Int32Array.from({ length: 64 }, (_, i) => i);
      const terms = [{ tensor: x, groupAxes: [3], groupIds: ids }];
      const layout = [{ variableName: 'v', layerName: 'l', weightName: 'k', shape: [3, 3, 16, 64], groupAxes: [3], groupIds: ids }];
      const once = async () => {
        await groupSquaredNorms(terms, 64);
        tf.dispose(scaleGroups(terms, new Float64Array(64).fill(0.5)));
        tf.dispose((await wgsefProxTensors(terms, 64, { k: 8, lambda: 0.01 })).outputs);
        groupProductSums(layout, 64, [[[x, x]]]);
        scaleTerm(layout[0] as (typeof layout)[0], x, new Float64Array(64).fill(2)).dispose();
      };
      for (let i = 0; i < 20; i++) await once(); // warm-up: the heap reaches its working size
      const heap = heapBytes();
      await expectNoLeaks(async () => {
        for (let i = 0; i < 300; i++) await once();
      });
      expect(heapBytes()).toBe(heap);
      x.dispose();
    });

    it('step aside when switched off, for non-contiguous group axes, and for non-float32 input', () => {
      const x = tf.ones([2, 3, 4]);
      const out = new Float64Array(12);
      const ids = Int32Array.from({ length: 8 }, (_, i) => i);
      setFusedWasmKernels(false);
      expect(addFusedSquareSums(x, termShapeGeometry([2, 3, 4], [2]), ids, out)).toBe(false);
      expect(fusedScale(x, termShapeGeometry([2, 3, 4], [2]), ids, new Float64Array(4), 1)).toBeUndefined();
      setFusedWasmKernels(true);
      expect(addFusedSquareSums(x, termShapeGeometry([2, 3, 4], [0, 2]), ids, out)).toBe(false);
      const xi = tf.ones([2, 4], 'int32');
      expect(addFusedSquareSums(xi, termShapeGeometry([2, 4], [1]), ids, out)).toBe(false);
      expect(Array.from(out)).toEqual(new Array(12).fill(0));
      tf.dispose([x, xi]);
    });
  },
  ['wasm'],
);

describeBackends(
  'fused wasm group kernels off the wasm backend',
  () => {
    it('are not used (the portable path runs)', () => {
      const x = tf.ones([4, 8]);
      const out = new Float64Array(8);
      expect(addFusedSquareSums(x, termShapeGeometry([4, 8], [1]), new Int32Array(8), out)).toBe(false);
      x.dispose();
    });
  },
  ['cpu'],
);
