/** A custom per-channel scale layer (y = x * scale) no built-in handler knows. */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

export class ChannelScale extends tfl.layers.Layer {
  static className = 'ChannelScale';
  private scale?: tfl.LayerVariable;

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    this.scale = this.addWeight(
      'scale',
      [shape[shape.length - 1] as number],
      'float32',
      tfl.initializers.ones(),
    );
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    return tf.mul(x, this.scale!.read());
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape | tfl.Shape[] {
    return inputShape;
  }
}
tf.serialization.registerClass(ChannelScale);

/** conv(4) -> ChannelScale -> relu -> conv(3) -> GAP -> dense(2). */
export function scaledConvModel(): tfl.LayersModel {
  const x = tfl.input({ name: 'x', shape: [6, 6, 2] });
  const c = tfl.layers
    .conv2d({ name: 'k1', filters: 4, kernelSize: 3, padding: 'same' })
    .apply(x) as tfl.SymbolicTensor;
  const s = new ChannelScale({ name: 'scale1' }).apply(c) as tfl.SymbolicTensor;
  const r = tfl.layers.reLU({ name: 'relu1' }).apply(s) as tfl.SymbolicTensor;
  const c2 = tfl.layers
    .conv2d({ name: 'k2', filters: 3, kernelSize: 3, padding: 'same' })
    .apply(r) as tfl.SymbolicTensor;
  const g = tfl.layers.globalAveragePooling2d({ name: 'g' }).apply(c2) as tfl.SymbolicTensor;
  const y = tfl.layers.dense({ name: 'y', units: 2 }).apply(g) as tfl.SymbolicTensor;
  return tfl.model({ inputs: x, outputs: y });
}
