/**
 * Reading groups back from weight values: the norm and the zero test the pruner and reports use.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Group, GroupPartition, WeightSlice } from './types';

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

/**
 * The norms of every group of a partition at once, from its LayoutTerms: one download per variable
 * (instead of one gather per slice). Entry j is ||x_{G_j}||_2 over the regularized parameters of
 * `partition.groups[j]`.
 *
 * @example const norms = groupNorms(partition, model.weights); // Float64Array(partition.groups.length)
 */
export function groupNorms(partition: GroupPartition, weights: WeightLookup): Float64Array {
  const sq = new Float64Array(partition.groups.length);
  for (const term of partition.terms) {
    const data = lookup(weights, term.variableName, 'groupNorms').dataSync();
    const shape = term.shape;
    const strides = new Array<number>(shape.length).fill(1);
    for (let i = shape.length - 2; i >= 0; i--) strides[i] = strides[i + 1]! * shape[i + 1]!;
    const sub = new Array<number>(term.groupAxes.length).fill(1);
    for (let k = term.groupAxes.length - 2; k >= 0; k--)
      sub[k] = sub[k + 1]! * shape[term.groupAxes[k + 1]!]!;
    for (let flat = 0; flat < data.length; flat++) {
      let pos = 0;
      for (let k = 0; k < term.groupAxes.length; k++) {
        const a = term.groupAxes[k]!;
        pos += (Math.floor(flat / strides[a]!) % shape[a]!) * sub[k]!;
      }
      const g = term.groupIds[pos]!;
      if (g >= 0) {
        const v = data[flat]!;
        sq[g] = sq[g]! + v * v;
      }
    }
  }
  return sq.map(Math.sqrt);
}
