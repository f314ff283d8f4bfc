/**
 * Reading groups back from weight values: the norm and the zero test the pruner and reports use.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Group, WeightSlice } from './types';

/** Weight values by variable name (`LayerVariable.name`): a Map, a record, or `model.weights`-like list. */
export type WeightLookup =
  | ReadonlyMap<string, tf.Tensor>
  | Readonly<Record<string, tf.Tensor>>
  | ReadonlyArray<{ name: string; read(): tf.Tensor }>;

function lookup(weights: WeightLookup, name: string, fn: string): tf.Tensor {
  let t: tf.Tensor | undefined;
  if (weights instanceof Map) t = weights.get(name);
  else if (Array.isArray(weights))
    t = (weights as ReadonlyArray<{ name: string; read(): tf.Tensor }>).find((w) => w.name === name)?.read();
  else t = (weights as Record<string, tf.Tensor>)[name];
  if (!t)
    throw new Error(
      `${fn}: no weight value for variable '${name}'; pass a map from LayerVariable.name to tensor (e.g. model.weights)`,
    );
  return t;
}

/** Values of one slice, flattened (synchronous download). */
export function sliceValues(slice: WeightSlice, weights: WeightLookup): Float32Array {
  const value = lookup(weights, slice.variableName, 'sliceValues');
  return tf.tidy(() => {
    const axes = slice.axes ?? [slice.axis];
    let t: tf.Tensor = value;
    if (axes.length > 1) {
      // Move the group axes first, merge them, then gather the row-major positions.
      const rest = value.shape.map((_, a) => a).filter((a) => !axes.includes(a));
      const merged = axes.reduce((p, a) => p * value.shape[a]!, 1);
      t = tf.reshape(tf.transpose(value, [...axes, ...rest]), [merged, -1]);
      return tf.gather(t, slice.indices, 0).dataSync() as Float32Array;
    }
    return tf.gather(t, slice.indices, slice.axis).dataSync() as Float32Array;
  });
}

/**
 * Euclidean norm of a group's regularized parameters (what the regularizer sees).
 *
 * @example groupNorm(partition.groups[0], model.weights)
 */
export function groupNorm(group: Group, weights: WeightLookup): number {
  let sq = 0;
  for (const s of group.slices) {
    if (!s.regularized) continue;
    for (const v of sliceValues(s, weights)) sq += v * v;
  }
  return Math.sqrt(sq);
}

/**
 * True when every regularized parameter of `group` has |x| <= tol: the condition under which the pruner
 * may remove a removable group without changing the model's outputs.
 *
 * @param tol Absolute tolerance (default 0: exact zeros).
 * @example groupIsZero(group, model.weights, 1e-8)
 */
export function groupIsZero(group: Group, weights: WeightLookup, tol = 0): boolean {
  if (!(tol >= 0)) throw new RangeError(`groupIsZero: tol must be >= 0, got ${tol}`);
  for (const s of group.slices) {
    if (!s.regularized) continue;
    for (const v of sliceValues(s, weights)) if (Math.abs(v) > tol) return false;
  }
  return true;
}
