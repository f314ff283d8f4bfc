/**
 * Hand computations for tests: an SGD step computed with tf.variableGrads, and the group prox done in
 * plain JS over any group partition (general groupAxes), independent of the device path under test.
 * Shared by the @klevel/hspg and @klevel/prox-callback suites.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { seededNormal } from './assert';

/**
 * The fields of a layout term these helpers read: structurally the @klevel/groups contract
 * (`LayoutTerm`), declared here so test-utils does not depend on @klevel/groups (which dev-depends on
 * test-utils). Any `LayoutTerm` is assignable to it.
 */
export interface HandLayoutTerm {
  variableName: string;
  shape: readonly number[];
  /** Axes that index groups, sorted ascending; [] means the whole variable is one position. */
  groupAxes: readonly number[];
  /** Group index per row-major position over `shape[groupAxes]`; -1 = no group. */
  groupIds: ArrayLike<number>;
}

/**
 * The fields of a group partition these helpers read: structurally the @klevel/groups contract
 * (`GroupPartition`); any `GroupPartition` is assignable to it.
 */
export interface HandPartition {
  groups: readonly unknown[];
  terms: readonly HandLayoutTerm[];
}

/** Group id of every element of a term (row-major over the term's shape). */
export function elementGroupIds(term: HandLayoutTerm): Int32Array {
  const { shape, groupAxes } = term;
  const size = shape.reduce((p, d) => p * d, 1);
  const out = new Int32Array(size);
  const idx = new Array(shape.length).fill(0);
  for (let i = 0; i < size; i++) {
    let pos = 0;
    for (const ax of groupAxes) pos = pos * (shape[ax] as number) + (idx[ax] as number);
    out[i] = term.groupIds[pos] as number;
    for (let d = shape.length - 1; d >= 0; d--) {
      idx[d]++;
      if (idx[d] < (shape[d] as number)) break;
      idx[d] = 0;
    }
  }
  return out;
}

/** Current values of every model weight, by variable name (float64 copies). */
export function readWeights(model: tfl.LayersModel): Map<string, Float64Array> {
  return new Map(model.weights.map((w) => [w.name, Float64Array.from(w.read().dataSync())]));
}

/** Group norms of `values` under `partition`. */
export function handNorms(partition: HandPartition, values: Map<string, Float64Array>): Float64Array {
  const sq = new Float64Array(partition.groups.length);
  for (const term of partition.terms) {
    const ids = elementGroupIds(term);
    const v = values.get(term.variableName) as Float64Array;
    ids.forEach((g, i) => {
      if (g >= 0) sq[g] = (sq[g] as number) + (v[i] as number) ** 2;
    });
  }
  return sq.map(Math.sqrt);
}

/** Multiplies each group by `scales[g]` (a new map; unregularized entries copied). */
export function handScale(
  partition: HandPartition,
  values: Map<string, Float64Array>,
  scales: ArrayLike<number>,
): Map<string, Float64Array> {
  const out = new Map([...values].map(([k, v]) => [k, Float64Array.from(v)]));
  for (const term of partition.terms) {
    const ids = elementGroupIds(term);
    const v = out.get(term.variableName) as Float64Array;
    ids.forEach((g, i) => {
      if (g >= 0) v[i] = (v[i] as number) * (scales[g] as number);
    });
  }
  return out;
}

/** Gradients of mean categorical cross-entropy (training-mode forward pass) for every trainable weight. */
export function handGradients(model: tfl.LayersModel, x: tf.Tensor, y: tf.Tensor): Map<string, Float64Array> {
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const { value, grads } = tf.variableGrads(
    () =>
      tf.mean(
        tfl.metrics.categoricalCrossentropy(y, model.apply(x, { training: true }) as tf.Tensor),
      ) as tf.Scalar,
    vars,
  );
  const out = new Map(Object.entries(grads).map(([k, g]) => [k, Float64Array.from(g.dataSync())]));
  tf.dispose([value, ...Object.values(grads)]);
  return out;
}

/** `w - lr * g` for the trainable weights; other weights copied. */
export function sgdStep(
  values: Map<string, Float64Array>,
  grads: Map<string, Float64Array>,
  lr: number,
): Map<string, Float64Array> {
  return new Map(
    [...values].map(([k, v]) => {
      const g = grads.get(k);
      return [k, g ? v.map((x, i) => x - lr * (g[i] as number)) : Float64Array.from(v)];
    }),
  );
}

/** Seeded inputs and one-hot labels. */
export function seededBatch(
  n: number,
  inputShape: number[],
  classes: number,
  seed: number,
): { x: tf.Tensor; y: tf.Tensor } {
  const rnd = seededNormal(seed);
  const size = n * inputShape.reduce((p, d) => p * d, 1);
  const x = tf.tensor(
    Float32Array.from({ length: size }, () => rnd()),
    [n, ...inputShape],
  );
  const labels = Int32Array.from({ length: n }, (_, i) => i % classes);
  const y = tf.oneHot(tf.tensor1d(labels, 'int32'), classes);
  return { x, y };
}

/** Overwrites every weight with seeded N(0, scale^2) values (BN moving variance set to 1). */
export function seedWeights(model: tfl.LayersModel, seed: number, scale = 0.4): void {
  const rnd = seededNormal(seed);
  for (const w of model.weights) {
    const size = (w.shape as number[]).reduce((p, d) => p * d, 1);
    const vals = w.name.includes('moving_variance')
      ? new Float32Array(size).fill(1)
      : Float32Array.from({ length: size }, () => rnd() * scale);
    const t = tf.tensor(vals, w.shape as number[]);
    w.write(t);
    t.dispose();
  }
}

/** Largest |a - b| over all variables named in `expected`, relative to max |expected|. */
export function maxRelDiff(
  model: tfl.LayersModel,
  expected: Map<string, Float64Array>,
  names?: string[],
): number {
  let maxAbs = 0;
  let maxDiff = 0;
  const actual = readWeights(model);
  for (const name of names ?? [...expected.keys()]) {
    const e = expected.get(name) as Float64Array;
    const a = actual.get(name) as Float64Array;
    e.forEach((v, i) => {
      maxAbs = Math.max(maxAbs, Math.abs(v));
      maxDiff = Math.max(maxDiff, Math.abs(v - (a[i] as number)));
    });
  }
  return maxDiff / (maxAbs + 1e-12);
}
