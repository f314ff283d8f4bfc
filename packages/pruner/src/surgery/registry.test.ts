import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { partitionGroups } from '@klevel/groups';
import { registerLayerHandler, unregisterLayerHandler } from '@klevel/groups/extend';
import { describeBackends } from '@klevel/test-utils';
import { expect, it } from 'vitest';
import { randomizeWeights, zeroGroups } from '../__fixtures__/models';
import { compareModels } from '../equivalence';
import { prune } from '../prune';
import { channelHandler } from './helpers';
import {
  getSurgeryHandler,
  registerSurgeryHandler,
  supportedLayerClasses,
  unregisterSurgeryHandler,
} from './registry';

/** A custom layer: y[..., c] = x[..., c] * scale[c] (zero-preserving, one weight entry per channel). */
class KlevelTestChannelScale extends tfl.layers.Layer {
  static get className() {
    return 'KlevelTestChannelScale';
  }
  private scale!: tfl.LayerVariable;
  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const shape = inputShape as tfl.Shape;
    this.scale = this.addWeight(
      'scale',
      [shape[shape.length - 1] as number],
      'float32',
      tfl.initializers.ones(),
    );
    this.built = true;
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? (inputs[0] as tf.Tensor) : inputs;
    return tf.tidy(() => tf.mul(x, this.scale.read()));
  }
}
tf.serialization.registerClass(KlevelTestChannelScale);

describeBackends('surgery handler registry', () => {
  it('knows the built-in classes and refuses malformed handlers', () => {
    expect(supportedLayerClasses()).toEqual(
      expect.arrayContaining([
        'Conv2D',
        'Dense',
        'DepthwiseConv2D',
        'SeparableConv2D',
        'BatchNormalization',
        'Flatten',
      ]),
    );
    expect(getSurgeryHandler('Conv2D')?.prunableAxes).toEqual({ kernel: [2, 3], bias: [0] });
    expect(() => registerSurgeryHandler('', channelHandler({ prunableAxes: {} }))).toThrow(
      /non-empty string/,
    );
    expect(() => registerSurgeryHandler('X', {} as never)).toThrow(/'prunableAxes' and a 'rewriteConfig'/);
  });

  it('prunes through a custom layer once both packages know it', async () => {
    const build = () =>
      tfl.sequential({
        layers: [
          tfl.layers.dense({ inputShape: [5], units: 8, activation: 'relu', name: 'd1' }),
          new KlevelTestChannelScale({ name: 'scale' }),
          tfl.layers.dense({ units: 2, name: 'out' }),
        ],
      });
    const model = build();
    randomizeWeights(model, 8);
    // Unknown to @klevel/groups: refused with a message naming the layer.
    await expect(prune(model)).rejects.toThrow(/'scale'.*KlevelTestChannelScale/);
    registerLayerHandler('KlevelTestChannelScale', {
      mapChannels(ctx) {
        const input = ctx.inputs[0]!;
        ctx.bindChannelwise('scale', 0, input, true);
        return [input];
      },
    });
    const groups = partitionGroups(model, 'filters').groups.filter((g) => g.layerName === 'd1');
    zeroGroups(model, groups.slice(0, 3));
    // Known to groups but not to the pruner's surgery: refused, naming the layer.
    await expect(prune(model)).rejects.toThrow(
      /no surgery handler for layer 'scale' \(class KlevelTestChannelScale\)/,
    );
    registerSurgeryHandler('KlevelTestChannelScale', channelHandler({ prunableAxes: { scale: [0] } }));
    const { model: small } = await prune(model, { check: { tolerance: 1e-5 } });
    expect(small.getLayer('scale').getWeights()[0]?.shape).toEqual([5]);
    expect(compareModels(small, model).maxRelativeDifference).toBeLessThanOrEqual(1e-5);
    small.dispose();
    model.dispose();
    expect(unregisterSurgeryHandler('KlevelTestChannelScale')).toBe(true);
    expect(unregisterLayerHandler('KlevelTestChannelScale')).toBe(true);
  });
});
