import { describeBackends, expectNoLeaks } from '@klevel/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import {
  depthwiseBlockModel,
  inceptionModel,
  mlp,
  randomInputFor,
  resnetBlockModel,
  twoOutputModel,
} from './blocks';
import { lenet5, lenet5Caffe, vggSmall } from './classic';

function outputShapes(model: tfl.LayersModel, batch = 2): number[][] {
  const x = randomInputFor(model, batch, 1);
  const y = model.predict(x) as tf.Tensor | tf.Tensor[];
  const ys = Array.isArray(y) ? y : [y];
  const shapes = ys.map((t) => t.shape);
  tf.dispose([x, ...ys]);
  return shapes;
}

describeBackends('reference models', () => {
  it('LeNet-5 has 61,706 params and the 6-16-120-84 layout', async () => {
    const model = lenet5({ seed: 1 });
    expect(model.countParams()).toBe(61706);
    expect(model.layers.map((l) => l.name)).toEqual([
      'conv1',
      'pool1',
      'conv2',
      'pool2',
      'flatten',
      'fc1',
      'fc2',
      'output',
    ]);
    expect(model.getLayer('conv2').outputShape).toEqual([null, 10, 10, 16]);
    expect(await expectNoLeaks(() => outputShapes(model))).toEqual([[2, 10]]);
    model.dispose();
  });

  it('LeNet-5-Caffe has 431,080 params (20-50-500)', async () => {
    const model = lenet5Caffe();
    expect(model.countParams()).toBe(431080);
    expect(model.getLayer('flatten').outputShape).toEqual([null, 800]);
    expect(await expectNoLeaks(() => outputShapes(model))).toEqual([[2, 10]]);
    model.dispose();
  });

  it('VGG-small has 1,009,870 params with BatchNorm and 1,009,102 without; widths are configurable', async () => {
    const bn = vggSmall();
    expect(bn.countParams()).toBe(1009870);
    expect(bn.layers.filter((l) => l.getClassName() === 'BatchNormalization')).toHaveLength(4);
    expect(await expectNoLeaks(() => outputShapes(bn))).toEqual([[2, 10]]);
    bn.dispose();
    const plain = vggSmall({ batchNorm: false });
    expect(plain.countParams()).toBe(1009102);
    plain.dispose();
    const half = vggSmall({ filters: [16, 16, 32, 32], units: 150 });
    // 160+64 + 2320+64 + 4640+128 + 9248+128 + (1568*150+150) + (150*10+10)
    expect(half.countParams()).toBe(160 + 64 + 2320 + 64 + 4640 + 128 + 9248 + 128 + 235350 + 1510);
    half.dispose();
    expect(() => vggSmall({ filters: [32, 32, 64] as unknown as [number, number, number, number] })).toThrow(
      /vggSmall: options.filters must be 4 positive integers, received \[32, 32, 64\]/,
    );
  });

  it('the seed makes weights reproducible, and different seeds differ', () => {
    const weightsOf = (m: tfl.LayersModel) => m.getWeights().map((w) => Array.from(w.dataSync()));
    const a = lenet5({ seed: 3 });
    const b = lenet5({ seed: 3 });
    const c = lenet5({ seed: 4 });
    expect(weightsOf(a)).toEqual(weightsOf(b));
    expect(weightsOf(a)[0]).not.toEqual(weightsOf(c)[0]);
    // different layers get different seeds
    const m = mlp({ inputShape: [8], units: [8], numClasses: 8, seed: 1 });
    expect(weightsOf(m)[0]).not.toEqual(weightsOf(m)[2]);
    for (const model of [a, b, c, m]) model.dispose();
  });

  it('building blocks have the documented topologies and run', async () => {
    const res = resnetBlockModel({ seed: 1 });
    expect(res.getLayer('add').getClassName()).toBe('Add');
    expect(await expectNoLeaks(() => outputShapes(res))).toEqual([[2, 10]]);

    const inc = inceptionModel({ seed: 1 });
    expect(inc.getLayer('concat').outputShape).toEqual([null, 8, 8, 20]);
    expect(await expectNoLeaks(() => outputShapes(inc))).toEqual([[2, 10]]);

    const dw = depthwiseBlockModel({ seed: 1 });
    expect(dw.getLayer('dw').getClassName()).toBe('DepthwiseConv2D');
    expect(await expectNoLeaks(() => outputShapes(dw))).toEqual([[2, 10]]);

    const two = twoOutputModel({ seed: 1, numClasses: 3 });
    expect(two.outputs).toHaveLength(2);
    expect(await expectNoLeaks(() => outputShapes(two))).toEqual([
      [2, 3],
      [2, 1],
    ]);

    const perceptron = mlp({ inputShape: [5], units: [7, 6], numClasses: 4 });
    expect(perceptron.countParams()).toBe(5 * 7 + 7 + 7 * 6 + 6 + 6 * 4 + 4);
    expect(await expectNoLeaks(() => outputShapes(perceptron))).toEqual([[2, 4]]);
    expect(() => mlp({ units: [0] })).toThrow(/mlp: options.units must be positive integers/);
    for (const model of [res, inc, dw, two, perceptron]) model.dispose();
  });
});
