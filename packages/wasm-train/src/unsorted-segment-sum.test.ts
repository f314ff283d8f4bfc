/** UnsortedSegmentSum on wasm against the stock cpu kernel, including dropped (out-of-range) ids. */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  maxRelativeError,
  mulberry32,
  runKernelValues,
  seededArray,
  useBackend,
  withStockCpu,
} from '../test/helpers';

interface Case {
  xShape: number[];
  idRank: number;
  numSegments: number;
  x: Float32Array;
  ids: Int32Array;
  ref?: Float32Array;
}

function cases(): Case[] {
  const rnd = mulberry32(5);
  const out: Case[] = [];
  // tfjs passes 1-D ids (gather's gradient flattens the indices), as does the stock cpu kernel.
  const shapes = [[7], [5, 3], [16, 12, 8], [4, 6, 64], [33, 1], [200, 16]];
  for (const xShape of shapes) {
    for (const idRank of [1]) {
      const numSegments = 1 + Math.floor(rnd() * 20);
      const idSize = tf.util.sizeFromShape(xShape.slice(0, idRank));
      const ids = Int32Array.from({ length: idSize }, () => Math.floor(rnd() * (numSegments + 2)) - 1);
      out.push({
        xShape,
        idRank,
        numSegments,
        x: seededArray(tf.util.sizeFromShape(xShape), out.length + 1),
        ids,
      });
    }
  }
  return out;
}

function run(c: Case): { values: Float32Array; shape: number[] } {
  return runKernelValues(
    'UnsortedSegmentSum',
    {
      x: { values: c.x, shape: c.xShape },
      segmentIds: { values: c.ids, shape: c.xShape.slice(0, c.idRank), dtype: 'int32' },
    },
    { numSegments: c.numSegments },
  );
}

const all = cases();

describe('UnsortedSegmentSum (wasm) vs cpu', () => {
  beforeAll(async () => {
    await withStockCpu(() => {
      for (const c of all) c.ref = run(c).values;
    });
    await useBackend('wasm');
  });

  it.each(
    all.map((c) => [`x${c.xShape.join('x')} ids rank ${c.idRank} segments ${c.numSegments}`, c] as const),
  )('%s', (_name, c) => {
    expect(tf.getBackend()).toBe('wasm');
    const ours = run(c);
    expect(ours.shape).toEqual([c.numSegments, ...c.xShape.slice(c.idRank)]);
    expect(maxRelativeError(ours.values, c.ref as Float32Array)).toBeLessThanOrEqual(1e-5);
  });

  it('is the gradient of tf.gather', () => {
    const table = tf.variable(tf.tensor2d(seededArray(10 * 4, 9), [10, 4]));
    const { grads } = tf.variableGrads(
      () => tf.sum(tf.mul(tf.gather(table, [1, 3, 1, 9, 1]), 2)) as tf.Scalar,
      [table],
    );
    const g = grads[table.name] as tf.Tensor;
    const rows = Array.from(g.dataSync());
    expect(rows.slice(4, 8)).toEqual([6, 6, 6, 6]); // id 1 three times, times 2
    expect(rows.slice(12, 16)).toEqual([2, 2, 2, 2]);
    expect(rows.slice(0, 4)).toEqual([0, 0, 0, 0]);
    tf.dispose([table, g]);
  });
});
