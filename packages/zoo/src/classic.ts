/**
 * The reference image classifiers of the klevel experiments, for 28x28x1 inputs (Fashion-MNIST) by default:
 * LeNet-5, LeNet-5-Caffe and a small VGG-style net. Every factory returns a fresh, uncompiled
 * `tfl.Sequential` with stable layer names (`conv1`, `fc1`, ...).
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { seededKernels } from './init';

/** Options shared by the classic models. */
export interface ClassicModelOptions {
  /** Input shape without the batch dimension (default `[28, 28, 1]`). */
  inputShape?: [number, number, number];
  /** Number of classes (default 10). */
  numClasses?: number;
  /** Seed for reproducible Glorot-uniform kernels (default: tfjs' unseeded initializer). */
  seed?: number;
}

function checkWidths(fn: string, name: string, widths: number[], expected: number): void {
  if (widths.length !== expected || widths.some((w) => !Number.isInteger(w) || w < 1)) {
    throw new RangeError(
      `${fn}: options.${name} must be ${expected} positive integers, received [${widths.join(', ')}]`,
    );
  }
}

/**
 * LeNet-5 (LeCun et al. 1998, modern ReLU/max-pool form): conv 6@5x5 'same' ReLU, max-pool 2, conv 16@5x5 valid
 * ReLU, max-pool 2, flatten, dense 120 ReLU, dense 84 ReLU, dense 10 softmax. 61,706 parameters on 28x28x1.
 *
 * @param options - input shape, classes, seed, and `filters` ([6, 16]) / `units` ([120, 84]) to build a
 *   narrower (e.g. pruned-size) variant.
 * @example
 * const model = lenet5({ seed: 1 });
 * model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
 */
export function lenet5(
  options: ClassicModelOptions & { filters?: [number, number]; units?: [number, number] } = {},
): tfl.Sequential {
  const { inputShape = [28, 28, 1], numClasses = 10, filters = [6, 16], units = [120, 84] } = options;
  checkWidths('lenet5', 'filters', filters, 2);
  checkWidths('lenet5', 'units', units, 2);
  const k = seededKernels(options.seed);
  return tfl.sequential({
    name: 'lenet5',
    layers: [
      tfl.layers.conv2d({
        name: 'conv1',
        inputShape,
        filters: filters[0],
        kernelSize: 5,
        padding: 'same',
        activation: 'relu',
        kernelInitializer: k(),
      }),
      tfl.layers.maxPooling2d({ name: 'pool1', poolSize: 2 }),
      tfl.layers.conv2d({
        name: 'conv2',
        filters: filters[1],
        kernelSize: 5,
        activation: 'relu',
        kernelInitializer: k(),
      }),
      tfl.layers.maxPooling2d({ name: 'pool2', poolSize: 2 }),
      tfl.layers.flatten({ name: 'flatten' }),
      tfl.layers.dense({ name: 'fc1', units: units[0], activation: 'relu', kernelInitializer: k() }),
      tfl.layers.dense({ name: 'fc2', units: units[1], activation: 'relu', kernelInitializer: k() }),
      tfl.layers.dense({ name: 'output', units: numClasses, activation: 'softmax', kernelInitializer: k() }),
    ],
  });
}

/**
 * LeNet-5-Caffe, the variant of the group-sparsity literature: conv 20@5x5 valid ReLU, max-pool 2, conv 50@5x5
 * valid ReLU, max-pool 2, flatten, dense 500 ReLU, dense 10 softmax. 431,080 parameters on 28x28x1.
 *
 * @param options - input shape, classes, seed, `filters` ([20, 50]) and `units` ([500]).
 * @example
 * const model = lenet5Caffe({ seed: 1 });
 */
export function lenet5Caffe(
  options: ClassicModelOptions & { filters?: [number, number]; units?: [number] } = {},
): tfl.Sequential {
  const { inputShape = [28, 28, 1], numClasses = 10, filters = [20, 50], units = [500] } = options;
  checkWidths('lenet5Caffe', 'filters', filters, 2);
  checkWidths('lenet5Caffe', 'units', units, 1);
  const k = seededKernels(options.seed);
  return tfl.sequential({
    name: 'lenet5_caffe',
    layers: [
      tfl.layers.conv2d({
        name: 'conv1',
        inputShape,
        filters: filters[0],
        kernelSize: 5,
        activation: 'relu',
        kernelInitializer: k(),
      }),
      tfl.layers.maxPooling2d({ name: 'pool1', poolSize: 2 }),
      tfl.layers.conv2d({
        name: 'conv2',
        filters: filters[1],
        kernelSize: 5,
        activation: 'relu',
        kernelInitializer: k(),
      }),
      tfl.layers.maxPooling2d({ name: 'pool2', poolSize: 2 }),
      tfl.layers.flatten({ name: 'flatten' }),
      tfl.layers.dense({ name: 'fc1', units: units[0], activation: 'relu', kernelInitializer: k() }),
      tfl.layers.dense({ name: 'output', units: numClasses, activation: 'softmax', kernelInitializer: k() }),
    ],
  });
}

/** Options of {@link vggSmall}. */
export interface VggSmallOptions extends ClassicModelOptions {
  /** Insert BatchNormalization after every conv, before its ReLU (default true). */
  batchNorm?: boolean;
  /** Filters of the four 3x3 'same' convs (default [32, 32, 64, 64]). */
  filters?: [number, number, number, number];
  /** Units of the hidden dense layer (default 300). */
  units?: number;
}

/**
 * A small VGG-style net: [conv 3x3 32, (BN), ReLU] x2, max-pool 2, [conv 3x3 64, (BN), ReLU] x2, max-pool 2,
 * flatten, dense 300 ReLU, dense 10 softmax. On 28x28x1: 1,009,870 parameters with BatchNorm (768 of them BN
 * gamma/beta/moving statistics), 1,009,102 without. Layers: conv1..conv4, bn1..bn4, relu1..relu4, fc1, output.
 *
 * @param options - `batchNorm` (default true), `filters`, `units`, input shape, classes, seed.
 * @example
 * const dense = vggSmall({ seed: 1 });
 * const halfWidth = vggSmall({ filters: [16, 16, 32, 32], units: 150, seed: 1 });
 */
export function vggSmall(options: VggSmallOptions = {}): tfl.Sequential {
  const {
    inputShape = [28, 28, 1],
    numClasses = 10,
    batchNorm = true,
    filters = [32, 32, 64, 64],
    units = 300,
  } = options;
  checkWidths('vggSmall', 'filters', filters, 4);
  checkWidths('vggSmall', 'units', [units], 1);
  const k = seededKernels(options.seed);
  const model = tfl.sequential({ name: batchNorm ? 'vgg_small_bn' : 'vgg_small' });
  filters.forEach((f, i) => {
    const n = i + 1;
    model.add(
      tfl.layers.conv2d({
        name: `conv${n}`,
        ...(i === 0 ? { inputShape } : {}),
        filters: f,
        kernelSize: 3,
        padding: 'same',
        activation: batchNorm ? 'linear' : 'relu',
        kernelInitializer: k(),
      }),
    );
    if (batchNorm) {
      model.add(tfl.layers.batchNormalization({ name: `bn${n}` }));
      model.add(tfl.layers.activation({ name: `relu${n}`, activation: 'relu' }));
    }
    if (i === 1 || i === 3) model.add(tfl.layers.maxPooling2d({ name: `pool${n / 2}`, poolSize: 2 }));
  });
  model.add(tfl.layers.flatten({ name: 'flatten' }));
  model.add(tfl.layers.dense({ name: 'fc1', units, activation: 'relu', kernelInitializer: k() }));
  model.add(
    tfl.layers.dense({ name: 'output', units: numClasses, activation: 'softmax', kernelInitializer: k() }),
  );
  return model;
}
