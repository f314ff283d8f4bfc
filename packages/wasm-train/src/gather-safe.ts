/**
 * `tf.gather` that is safe on the wasm backend.
 *
 * tfjs-backend-wasm 4.22 keeps the pre-reshape shape of a gather result in its data map (e.g.
 * `[1, 1, 4, 1]` for a `[4]` result). Kernels that read shapes from that map then misbehave: a
 * gathered bias makes `FusedConv2D` throw `only supports rank-1 bias but got rank 4`. Cloning
 * (the Identity kernel) writes a fresh buffer with the right shape.
 */
import * as tf from '@tensorflow/tfjs-core';

/**
 * `tf.gather(x, indices, axis, batchDims)` followed by `tf.clone`, so the result is safe to feed
 * to fused kernels on wasm (used by the pruner to slice weights). Same semantics as `tf.gather`;
 * the intermediate is disposed.
 *
 * @param x the tensor to gather from.
 * @param indices int32 indices along `axis`.
 * @param axis default 0.
 * @param batchDims default 0.
 * @example
 * const bias = gatherSafe(layerBias, keptFilters); // then tf.fused.conv2d({ ..., bias })
 */
export function gatherSafe<T extends tf.Tensor>(
  x: T,
  indices: tf.Tensor | tf.TensorLike,
  axis = 0,
  batchDims = 0,
): T {
  return tf.tidy(() => tf.clone(tf.gather(x, indices, axis, batchDims)) as T);
}
