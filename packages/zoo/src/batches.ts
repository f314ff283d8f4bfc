/** Seeded shuffling and mini-batching of a {@link FashionMnistData}, without tensors until asked. */
import type { FashionMnistData } from './dataset';
import { selectSamples } from './dataset';
import { shuffledIndices } from './random';

/** Options of {@link batchIterator}. */
export interface BatchOptions {
  /** Samples per batch (positive integer). */
  batchSize: number;
  /** Shuffle before batching (default true). */
  shuffle?: boolean;
  /** Seed of the shuffle (default 0); the same seed gives the same order. */
  seed?: number;
  /** Drop a last batch smaller than `batchSize` (default false). */
  dropRemainder?: boolean;
}

/**
 * Splits a dataset into (optionally shuffled) mini-batches, each a {@link FashionMnistData} with its own
 * `toTensors()`. Pixels are copied per batch, so no tensor is created until the caller asks.
 *
 * @example
 * for (const batch of batchIterator(train, { batchSize: 128, seed: 1 })) {
 *   const { xs, ys } = batch.toTensors();
 *   await model.trainOnBatch(xs, ys);
 *   tf.dispose([xs, ys]);
 * }
 */
export function* batchIterator(data: FashionMnistData, options: BatchOptions): Generator<FashionMnistData> {
  const { batchSize, shuffle = true, seed = 0, dropRemainder = false } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(
      `batchIterator: options.batchSize must be a positive integer, received ${batchSize}`,
    );
  }
  const order = shuffle
    ? shuffledIndices(data.count, seed)
    : Int32Array.from({ length: data.count }, (_, i) => i);
  for (let start = 0; start < data.count; start += batchSize) {
    const end = Math.min(start + batchSize, data.count);
    if (dropRemainder && end - start < batchSize) return;
    yield selectSamples(data, order.subarray(start, end));
  }
}

/**
 * The whole dataset in a seeded random order (a copy).
 *
 * @example
 * const shuffled = shuffleData(train, 42);
 */
export function shuffleData(data: FashionMnistData, seed: number): FashionMnistData {
  return selectSamples(data, shuffledIndices(data.count, seed));
}

/**
 * Indices of a class-balanced sample: `perClass` seeded-random indices of each label, returned in ascending
 * order (so classes stay mixed as in the source). Throws when a class has fewer than `perClass` samples.
 *
 * @example
 * const idx = balancedIndices(train.labels, 200, 0); // 2,000 indices, 200 per class
 */
export function balancedIndices(
  labels: Uint8Array,
  perClass: number,
  seed: number,
  numClasses = 10,
): Int32Array {
  if (!Number.isInteger(perClass) || perClass < 1) {
    throw new RangeError(`balancedIndices: perClass must be a positive integer, received ${perClass}`);
  }
  const picked: number[][] = Array.from({ length: numClasses }, () => []);
  for (const i of shuffledIndices(labels.length, seed)) {
    const bucket = picked[labels[i]!];
    if (bucket && bucket.length < perClass) bucket.push(i);
  }
  picked.forEach((bucket, c) => {
    if (bucket.length < perClass) {
      throw new RangeError(
        `balancedIndices: class ${c} has ${bucket.length} samples, fewer than perClass=${perClass}`,
      );
    }
  });
  return Int32Array.from(picked.flat()).sort();
}
