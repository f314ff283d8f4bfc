/**
 * The in-memory Fashion-MNIST dataset returned by the loader: normalized images and integer labels as typed
 * arrays, plus helpers that turn them (or a subset) into tensors.
 */
import * as tf from '@tensorflow/tfjs-core';

/** Image side length of (Fashion-)MNIST. */
export const IMAGE_SIZE = 28;
/** Number of classes. */
export const NUM_CLASSES = 10;
/** Fashion-MNIST class names, indexed by label. */
export const FASHION_MNIST_CLASSES: readonly string[] = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
];

/** Where the data came from: the full dataset, or the small subset embedded in @klevel/zoo. */
export type FashionMnistSource = 'full' | 'subset';

/** Images and labels of one split, as plain typed arrays (no tensors held). */
export interface FashionMnistData {
  /** Which split this is. */
  split: 'train' | 'test';
  /** Which data was used: always print it, so a subset is never mistaken for the full dataset. */
  source: FashionMnistSource;
  /** The directory the files were read from. */
  dir: string;
  /** Number of samples. */
  count: number;
  /** `count * 28 * 28` pixels scaled to [0, 1], row-major, i.e. NHWC with one channel. */
  images: Float32Array;
  /** `count` labels in 0..9. */
  labels: Uint8Array;
  /** Default label encoding of {@link FashionMnistData.toTensors}. */
  onehot: boolean;
  /**
   * Creates tensors the caller owns (dispose them): `xs` float32 `[N,28,28,1]`, `ys` float32 one-hot `[N,10]`
   * when `onehot` (default: the loader's `onehot` option), else int32 `[N]`.
   */
  toTensors(options?: { onehot?: boolean }): { xs: tf.Tensor4D; ys: tf.Tensor };
}

/**
 * One-hot encodes integer labels.
 *
 * @param labels - class indices in `0..numClasses-1`.
 * @param numClasses - number of classes (default 10).
 * @returns a `labels.length * numClasses` row-major Float32Array.
 * @example
 * oneHot(new Uint8Array([2]), 3); // Float32Array [0, 0, 1]
 */
export function oneHot(labels: ArrayLike<number>, numClasses = NUM_CLASSES): Float32Array {
  const out = new Float32Array(labels.length * numClasses);
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i]!;
    if (!Number.isInteger(c) || c < 0 || c >= numClasses) {
      throw new RangeError(`oneHot: label ${i} is ${c}, expected an integer in [0, ${numClasses - 1}]`);
    }
    out[i * numClasses + c] = 1;
  }
  return out;
}

/**
 * Builds tensors from raw images and labels (the tensor helper behind `toTensors`).
 *
 * @param images - `N*784` floats in [0, 1].
 * @param labels - `N` class indices.
 * @param onehot - one-hot float32 `[N,10]` labels when true (default), int32 `[N]` otherwise.
 * @example
 * const { xs, ys } = toImageTensors(batch.images, batch.labels);
 * // ... use, then: tf.dispose([xs, ys]);
 */
export function toImageTensors(
  images: Float32Array,
  labels: Uint8Array,
  onehot = true,
): { xs: tf.Tensor4D; ys: tf.Tensor } {
  const n = labels.length;
  const pixels = IMAGE_SIZE * IMAGE_SIZE;
  if (images.length !== n * pixels) {
    throw new RangeError(
      `toImageTensors: images has ${images.length} values, expected ${n} labels x ${pixels} pixels = ${n * pixels}`,
    );
  }
  const xs = tf.tensor4d(images, [n, IMAGE_SIZE, IMAGE_SIZE, 1], 'float32');
  const ys = onehot ? tf.tensor2d(oneHot(labels), [n, NUM_CLASSES], 'float32') : tf.tensor1d(labels, 'int32');
  return { xs, ys };
}

/**
 * Makes a {@link FashionMnistData} from arrays (used by the loader and by {@link selectSamples}).
 */
export function makeFashionMnistData(
  fields: Omit<FashionMnistData, 'toTensors' | 'count'>,
): FashionMnistData {
  const data: FashionMnistData = {
    ...fields,
    count: fields.labels.length,
    toTensors: (options = {}) => toImageTensors(data.images, data.labels, options.onehot ?? data.onehot),
  };
  return data;
}

/**
 * A new dataset holding the samples at `indices`, in that order (copies the pixels).
 *
 * @example
 * const firstTen = selectSamples(train, Int32Array.from({ length: 10 }, (_, i) => i));
 */
export function selectSamples(data: FashionMnistData, indices: ArrayLike<number>): FashionMnistData {
  const pixels = IMAGE_SIZE * IMAGE_SIZE;
  const images = new Float32Array(indices.length * pixels);
  const labels = new Uint8Array(indices.length);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k]!;
    if (!Number.isInteger(i) || i < 0 || i >= data.count) {
      throw new RangeError(
        `selectSamples: index ${k} is ${i}, expected an integer in [0, ${data.count - 1}]`,
      );
    }
    images.set(data.images.subarray(i * pixels, (i + 1) * pixels), k * pixels);
    labels[k] = data.labels[i]!;
  }
  return makeFashionMnistData({
    split: data.split,
    source: data.source,
    dir: data.dir,
    images,
    labels,
    onehot: data.onehot,
  });
}
