/** Test accuracy of a (possibly uncompiled) classifier, in batches, without leaking tensors. */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

/**
 * Top-1 accuracy of `model` on `xs` against integer `labels`, predicting `batchSize` images at a time.
 * @example const acc = await accuracy(model, xs, test.labels);
 */
export async function accuracy(
  model: tfl.LayersModel,
  xs: tf.Tensor4D,
  labels: ArrayLike<number>,
  batchSize = 500,
): Promise<number> {
  const n = xs.shape[0];
  if (labels.length !== n) {
    throw new RangeError(`accuracy: ${n} images but ${labels.length} labels; pass the labels of xs.`);
  }
  let correct = 0;
  for (let start = 0; start < n; start += batchSize) {
    const size = Math.min(batchSize, n - start);
    const pred = tf.tidy(() => {
      const out = model.predict(tf.slice(xs, [start, 0, 0, 0], [size, -1, -1, -1])) as tf.Tensor;
      return tf.argMax(out, -1);
    });
    const p = await pred.data();
    pred.dispose();
    for (let i = 0; i < size; i++) if (p[i] === labels[start + i]) correct++;
  }
  return n === 0 ? 0 : correct / n;
}
