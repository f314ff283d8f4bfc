import { describeBackends, expectNoLeaks } from '@klevel/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import {
  embeddingConv1d,
  lenet5,
  mobilenetBlock,
  resnetBlocks,
  separableTranspose,
  vggBlock,
} from './__fixtures__/models';
import { countFlops, countParams } from './flops';

describeBackends('countFlops / countParams', () => {
  it('LeNet-5 by hand: 117,600 + 240,000 + 48,000 + 10,080 + 840 MACs; 61,706 params', async () => {
    const model = lenet5();
    const flops = await expectNoLeaks(() => countFlops(model));
    // c1: 28*28 outputs * 5*5 taps * 1 in * 6 out; c2: 10*10 * 25 * 6 * 16; dense: in*out
    expect(flops.perLayer).toEqual({
      c1: 117600,
      p1: 0,
      c2: 240000,
      p2: 0,
      flat: 0,
      d1: 48000,
      d2: 10080,
      out: 840,
    });
    expect(flops.total).toBe(416520);
    const params = countParams(model);
    expect(params.total).toBe(61706);
    expect(params.trainable).toBe(61706);
    expect(params.perLayer.c1).toBe(5 * 5 * 6 + 6);
    expect(params.perLayer.d1).toBe(400 * 120 + 120);
  });

  it('VGG block with BN: BN, activations and pooling count 0', () => {
    const flops = countFlops(vggBlock());
    // v1: 8*8 * 9 * 3 * 8 = 13,824; v2: 8*8 * 9 * 8 * 8 = 36,864; head: 4*4*8 * 4 = 512
    expect(flops.perLayer).toMatchObject({
      v1: 13824,
      bn1: 0,
      r1: 0,
      v2: 36864,
      bn2: 0,
      r2: 0,
      pool: 0,
      head: 512,
    });
    expect(flops.total).toBe(13824 + 36864 + 512);
    const params = countParams(vggBlock());
    expect(params.perLayer.bn1).toBe(4 * 8);
    expect(params.total - params.trainable).toBe(2 * 2 * 8); // moving mean/variance of two BNs
  });

  it('ResNet blocks: strided convs use the output resolution', () => {
    const flops = countFlops(resnetBlocks());
    expect(flops.perLayer.stem).toBe(64 * 9 * 3 * 4);
    expect(flops.perLayer.a1).toBe(64 * 9 * 4 * 6);
    expect(flops.perLayer.b1).toBe(64 * 9 * 6 * 4);
    expect(flops.perLayer.a2).toBe(16 * 9 * 4 * 5); // stride 2 -> 4x4 outputs
    expect(flops.perLayer.b2).toBe(16 * 9 * 5 * 5);
    expect(flops.perLayer.sc).toBe(16 * 1 * 4 * 5);
    expect(flops.perLayer.fc).toBe(5 * 3);
    expect(flops.perLayer.id_add).toBe(0);
  });

  it('depthwise block: OH*OW*KH*KW*C*mult', () => {
    const flops = countFlops(mobilenetBlock());
    expect(flops.perLayer.m_conv).toBe(64 * 9 * 3 * 4);
    expect(flops.perLayer.m_dw).toBe(64 * 9 * 4 * 2);
    expect(flops.perLayer.m_pw).toBe(64 * 8 * 6);
    expect(flops.perLayer.m_fc).toBe(6 * 3);
  });

  it('separable, transposed, Conv1D and Embedding layers', () => {
    const a = countFlops(separableTranspose());
    // sep: depthwise 36*9*3*2 + pointwise 36*6*5
    expect(a.perLayer.sep).toBe(36 * 9 * 3 * 2 + 36 * 6 * 5);
    // transpose: every input pixel (6x6) scatters 3x3 taps * 5 in * 4 out
    expect(a.perLayer.tr).toBe(36 * 9 * 5 * 4);
    expect(a.perLayer.s_out).toBe(24 * 24 * 4 * 2);
    const b = countFlops(embeddingConv1d());
    expect(b.perLayer).toEqual({ emb: 0, c1d: 3 * 3 * 6 * 4, gap1d: 0, cls: 4 * 2 });
  });

  it('Dense on a sequence counts every time step; a shared layer counts every call', () => {
    const x = tfl.input({ shape: [7, 5] });
    const shared = tfl.layers.dense({ name: 'td', units: 5 });
    const a = shared.apply(x) as tfl.SymbolicTensor;
    const b = shared.apply(a) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: x, outputs: b });
    expect(countFlops(model).perLayer.td).toBe(2 * 7 * 5 * 5);
    expect(countParams(model).perLayer.td).toBe(5 * 5 + 5);
  });

  it('Conv3D and Conv3DTranspose', () => {
    const model = tfl.sequential({
      layers: [
        tfl.layers.conv3d({
          name: 'c3',
          inputShape: [4, 4, 4, 2],
          filters: 3,
          kernelSize: 3,
          padding: 'same',
        }),
        tfl.layers.conv3dTranspose({ name: 't3', filters: 2, kernelSize: 2, strides: 2 }),
      ],
    });
    expect(countFlops(model).perLayer).toEqual({ c3: 64 * 27 * 2 * 3, t3: 64 * 8 * 3 * 2 });
  });

  it('nested models are flattened and counted once per call', () => {
    const inner = tfl.sequential({ layers: [tfl.layers.dense({ name: 'in_d', inputShape: [4], units: 3 })] });
    const x = tfl.input({ shape: [4] });
    const y = tfl.layers
      .add({ name: 'sum' })
      .apply([inner.apply(x) as tfl.SymbolicTensor, inner.apply(x) as tfl.SymbolicTensor]);
    const outer = tfl.model({ inputs: x, outputs: y as tfl.SymbolicTensor });
    expect(countFlops(outer).perLayer.in_d).toBe(2 * 12);
    expect(countParams(outer).perLayer.in_d).toBe(15);
  });
});

describeBackends('countFlops on a diverged model', () => {
  it('refuses NaN or infinite weights, naming the weight and the layer', () => {
    const model = tfl.sequential({
      layers: [
        tfl.layers.dense({ inputShape: [3], units: 4, name: 'd1' }),
        tfl.layers.dense({ units: 2, name: 'd2' }),
      ],
    });
    const [kernel, bias] = model.getLayer('d2').getWeights();
    const values = kernel!.arraySync() as number[][];
    values[1]![0] = Number.NaN;
    values[2]![1] = Number.POSITIVE_INFINITY;
    const bad = tf.tensor2d(values);
    model.getLayer('d2').setWeights([bad, bias!]);
    expect(() => countFlops(model)).toThrow(
      /^countFlops: weight 'd2\/kernel(_\d+)?' of layer 'd2' is not finite \(1 NaN, 1 ±Infinity of 8 values, the first at flat index 2\)\. The model has diverged/,
    );
    expect(() => countFlops(null as unknown as tfl.LayersModel)).toThrow(
      /countFlops: 'model' must be a tfjs-layers LayersModel .* got null/,
    );
    bad.dispose();
    model.dispose();
  });
});
