import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describeBackends } from '@klevel/test-utils';
import { describe, expect, it } from 'vitest';
import { forEachInSlice, forEachInSliceOf, measureGroup, WeightReader } from './group-stats';

describe('forEachInSlice', () => {
  const data = Array.from({ length: 24 }, (_, i) => i); // shape [2, 3, 4]
  const collect = (axis: number, indices: number[]) => {
    const out: number[] = [];
    forEachInSlice(data, [2, 3, 4], axis, indices, (v, f) => {
      expect(v).toBe(f);
      out.push(v);
    });
    return out;
  };
  it('visits exactly the elements whose coordinate along the axis is listed', () => {
    expect(collect(2, [1])).toEqual([1, 5, 9, 13, 17, 21]);
    expect(collect(1, [0, 2])).toEqual([0, 1, 2, 3, 8, 9, 10, 11, 12, 13, 14, 15, 20, 21, 22, 23]);
    expect(collect(0, [1])).toEqual(data.slice(12));
  });
  it('handles multi-axis slices (row-major positions over the axes)', () => {
    const out: number[] = [];
    // axes [1, 2] of [2, 3, 4]: position p = i1 * 4 + i2; p = 5 is (1, 1)
    forEachInSliceOf(data, [2, 3, 4], { axis: 1, axes: [1, 2], indices: [5] }, (v) => out.push(v));
    expect(out).toEqual([5, 17]);
  });
});

describeBackends('measureGroup', () => {
  it('measures the regularized slices only, and names missing weights', () => {
    const model = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [2], units: 3, name: 'd' })] });
    const layer = model.getLayer('d');
    const values = [
      tf.tensor2d([
        [3, 0, 1],
        [4, 0, 1],
      ]),
      tf.tensor1d([0, 0, 7]),
    ];
    layer.setWeights(values);
    tf.dispose(values);
    const reader = new WeightReader(model);
    const [k, b] = layer.weights.map((w) => w.name) as [string, string];
    const slice = (
      variableName: string,
      weightName: string,
      axis: number,
      indices: number[],
      regularized = true,
    ) => ({
      layerName: 'd',
      variableName,
      weightName,
      axis,
      indices,
      regularized,
    });
    const group = (slices: ReturnType<typeof slice>[]) =>
      ({
        id: 'g',
        type: 'filters',
        layerName: 'd',
        index: 0,
        slices,
        size: 1,
        weight: 1,
        removable: true,
      }) as never;
    expect(measureGroup(group([slice(k, 'kernel', 1, [0]), slice(b, 'bias', 0, [0])]), reader)).toMatchObject(
      {
        norm: 5,
        maxAbs: 4,
      },
    );
    expect(
      measureGroup(group([slice(k, 'kernel', 1, [1]), slice(b, 'bias', 0, [2], false)]), reader),
    ).toMatchObject({
      norm: 0,
      maxAbs: 0,
    });
    expect(() => measureGroup(group([slice('nope', 'nope', 0, [0])]), reader)).toThrow(
      /refers to weight 'nope'/,
    );
    model.dispose();
  });
});
