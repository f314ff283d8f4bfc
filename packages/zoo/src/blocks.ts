/**
 * Small building-block models for the tests of other packages: each exercises one topology a structural
 * pruner or a group partition must handle (residual add, multi-branch concat, depthwise conv, plain MLP, two
 * outputs). Inputs are tiny by default so tests stay fast. Every factory returns a fresh, uncompiled model
 * with stable layer names; pass `seed` for reproducible weights.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { seededKernels } from './init';

/** Options shared by the building-block models. */
export interface BlockModelOptions {
  /** Input shape without the batch dimension (image models default to `[8, 8, 3]`). */
  inputShape?: number[];
  /** Outputs of the classifier head (default 10). */
  numClasses?: number;
  /** Seed for reproducible Glorot-uniform kernels. */
  seed?: number;
}

type SymbolicTensor = tfl.SymbolicTensor;
const apply = (layer: tfl.layers.Layer, x: SymbolicTensor | SymbolicTensor[]): SymbolicTensor =>
  layer.apply(x) as SymbolicTensor;

/**
 * A ResNet basic block with an identity shortcut: `stem` conv 3x3 (ReLU), then `block_conv1` 3x3, `block_bn1`,
 * ReLU, `block_conv2` 3x3, `block_bn2`, `add` with the stem output, ReLU, global average pool, `output` dense.
 * The stem and `block_conv2` output channels are coupled through the add (one group for a pruner).
 *
 * @param options - `filters` (default 8) plus {@link BlockModelOptions}.
 * @example
 * const model = resnetBlockModel({ seed: 1 }); // input [8, 8, 3]
 */
export function resnetBlockModel(options: BlockModelOptions & { filters?: number } = {}): tfl.LayersModel {
  const { inputShape = [8, 8, 3], numClasses = 10, filters = 8 } = options;
  const k = seededKernels(options.seed);
  const conv = (name: string, activation: 'relu' | 'linear') =>
    tfl.layers.conv2d({ name, filters, kernelSize: 3, padding: 'same', activation, kernelInitializer: k() });
  const input = tfl.input({ shape: inputShape, name: 'input' });
  const stem = apply(conv('stem', 'relu'), input);
  let x = apply(conv('block_conv1', 'linear'), stem);
  x = apply(tfl.layers.batchNormalization({ name: 'block_bn1' }), x);
  x = apply(tfl.layers.activation({ name: 'block_relu1', activation: 'relu' }), x);
  x = apply(conv('block_conv2', 'linear'), x);
  x = apply(tfl.layers.batchNormalization({ name: 'block_bn2' }), x);
  x = apply(tfl.layers.add({ name: 'add' }), [x, stem]);
  x = apply(tfl.layers.activation({ name: 'block_relu2', activation: 'relu' }), x);
  x = apply(tfl.layers.globalAveragePooling2d({ name: 'gap' }), x);
  const output = apply(
    tfl.layers.dense({ name: 'output', units: numClasses, activation: 'softmax', kernelInitializer: k() }),
    x,
  );
  return tfl.model({ name: 'resnet_block', inputs: input, outputs: output });
}

/**
 * An Inception-style block: four branches concatenated on channels, `b1_1x1` (4), `b2_reduce` 1x1 (4) ->
 * `b2_3x3` (8), `b3_reduce` 1x1 (2) -> `b3_5x5` (4), `b4_pool` 3x3/1 max-pool -> `b4_1x1` (4), then `concat`
 * (20 channels), `mix` conv 1x1 (8), global average pool, `output` dense. Pruning a branch's filters must remove
 * the matching slice of `mix`'s input channels at the branch's concat offset.
 *
 * @example
 * const model = inceptionModel({ seed: 1 });
 */
export function inceptionModel(options: BlockModelOptions = {}): tfl.LayersModel {
  const { inputShape = [8, 8, 3], numClasses = 10 } = options;
  const k = seededKernels(options.seed);
  const conv = (name: string, filters: number, kernelSize: number) =>
    tfl.layers.conv2d({
      name,
      filters,
      kernelSize,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: k(),
    });
  const input = tfl.input({ shape: inputShape, name: 'input' });
  const b1 = apply(conv('b1_1x1', 4, 1), input);
  const b2 = apply(conv('b2_3x3', 8, 3), apply(conv('b2_reduce', 4, 1), input));
  const b3 = apply(conv('b3_5x5', 4, 5), apply(conv('b3_reduce', 2, 1), input));
  const pooled = apply(
    tfl.layers.maxPooling2d({ name: 'b4_pool', poolSize: 3, strides: 1, padding: 'same' }),
    input,
  );
  const b4 = apply(conv('b4_1x1', 4, 1), pooled);
  let x = apply(tfl.layers.concatenate({ name: 'concat', axis: -1 }), [b1, b2, b3, b4]);
  x = apply(conv('mix', 8, 1), x);
  x = apply(tfl.layers.globalAveragePooling2d({ name: 'gap' }), x);
  const output = apply(
    tfl.layers.dense({ name: 'output', units: numClasses, activation: 'softmax', kernelInitializer: k() }),
    x,
  );
  return tfl.model({ name: 'inception_block', inputs: input, outputs: output });
}

/**
 * A MobileNet-style depthwise-separable block: `conv1` 3x3 (8, ReLU), `dw` depthwise 3x3 (multiplier 1),
 * `dw_bn`, ReLU, `pw` pointwise 1x1 (16, ReLU), global average pool, `output` dense. `conv1`'s filters, `dw`'s
 * channels, `dw_bn` and `pw`'s input channels form one coupled group.
 *
 * Note: on the stock wasm backend depthwise convs can run inference but not training (missing gradient
 * kernels); use cpu or inference-only tests there.
 *
 * @example
 * const model = depthwiseBlockModel({ seed: 1 });
 */
export function depthwiseBlockModel(options: BlockModelOptions = {}): tfl.LayersModel {
  const { inputShape = [8, 8, 3], numClasses = 10 } = options;
  const k = seededKernels(options.seed);
  const input = tfl.input({ shape: inputShape, name: 'input' });
  let x = apply(
    tfl.layers.conv2d({
      name: 'conv1',
      filters: 8,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: k(),
    }),
    input,
  );
  x = apply(
    tfl.layers.depthwiseConv2d({ name: 'dw', kernelSize: 3, padding: 'same', depthwiseInitializer: k() }),
    x,
  );
  x = apply(tfl.layers.batchNormalization({ name: 'dw_bn' }), x);
  x = apply(tfl.layers.activation({ name: 'dw_relu', activation: 'relu' }), x);
  x = apply(
    tfl.layers.conv2d({ name: 'pw', filters: 16, kernelSize: 1, activation: 'relu', kernelInitializer: k() }),
    x,
  );
  x = apply(tfl.layers.globalAveragePooling2d({ name: 'gap' }), x);
  const output = apply(
    tfl.layers.dense({ name: 'output', units: numClasses, activation: 'softmax', kernelInitializer: k() }),
    x,
  );
  return tfl.model({ name: 'depthwise_block', inputs: input, outputs: output });
}

/**
 * A multi-layer perceptron: dense `fc1..fcN` with `units` (default [32, 16]) and `activation` (default relu),
 * then `output` dense with `numClasses` units and softmax (or `outputActivation`).
 *
 * @param options - `inputShape` defaults to `[16]`.
 * @example
 * const model = mlp({ inputShape: [784], units: [300, 100], seed: 1 });
 */
export function mlp(
  options: BlockModelOptions & {
    units?: number[];
    activation?: 'relu' | 'tanh' | 'sigmoid' | 'linear';
    outputActivation?: 'softmax' | 'linear' | 'sigmoid';
  } = {},
): tfl.Sequential {
  const {
    inputShape = [16],
    numClasses = 10,
    units = [32, 16],
    activation = 'relu',
    outputActivation = 'softmax',
  } = options;
  if (units.some((u) => !Number.isInteger(u) || u < 1)) {
    throw new RangeError(`mlp: options.units must be positive integers, received [${units.join(', ')}]`);
  }
  const k = seededKernels(options.seed);
  const model = tfl.sequential({ name: 'mlp' });
  units.forEach((u, i) => {
    model.add(
      tfl.layers.dense({
        name: `fc${i + 1}`,
        units: u,
        activation,
        kernelInitializer: k(),
        ...(i === 0 ? { inputShape } : {}),
      }),
    );
  });
  model.add(
    tfl.layers.dense({
      name: 'output',
      units: numClasses,
      activation: outputActivation,
      kernelInitializer: k(),
      ...(units.length === 0 ? { inputShape } : {}),
    }),
  );
  return model;
}

/**
 * A model with one trunk and two heads: `conv1` 3x3 (8, ReLU), flatten, `shared` dense 16 (ReLU), then
 * `class_output` dense `numClasses` softmax and `value_output` dense 1 linear. `shared`'s units feed both heads,
 * so pruning them must slice both heads' kernels.
 *
 * @example
 * const model = twoOutputModel({ seed: 1 });
 * const [probs, value] = model.predict(tf.zeros([2, 8, 8, 3])) as tf.Tensor[];
 */
export function twoOutputModel(options: BlockModelOptions = {}): tfl.LayersModel {
  const { inputShape = [8, 8, 3], numClasses = 10 } = options;
  const k = seededKernels(options.seed);
  const input = tfl.input({ shape: inputShape, name: 'input' });
  let x = apply(
    tfl.layers.conv2d({
      name: 'conv1',
      filters: 8,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: k(),
    }),
    input,
  );
  x = apply(tfl.layers.flatten({ name: 'flatten' }), x);
  x = apply(tfl.layers.dense({ name: 'shared', units: 16, activation: 'relu', kernelInitializer: k() }), x);
  const classOut = apply(
    tfl.layers.dense({
      name: 'class_output',
      units: numClasses,
      activation: 'softmax',
      kernelInitializer: k(),
    }),
    x,
  );
  const valueOut = apply(
    tfl.layers.dense({ name: 'value_output', units: 1, activation: 'linear', kernelInitializer: k() }),
    x,
  );
  return tfl.model({ name: 'two_output', inputs: input, outputs: [classOut, valueOut] });
}

/** A random input batch for `model` (all-dims known), handy in tests; the caller disposes it. */
export function randomInputFor(model: tfl.LayersModel, batch = 2, seed = 0): tf.Tensor {
  const shape = model.inputs[0]!.shape.slice(1) as number[];
  if (shape.some((d) => d == null)) {
    throw new Error(
      `randomInputFor: model ${model.name} has an input shape with unknown dims: [${shape.join(', ')}]`,
    );
  }
  return tf.randomUniform([batch, ...shape], 0, 1, 'float32', seed);
}
