/**
 * Norms of groups, read from the model's current weights: the Euclidean norm and the largest absolute
 * value of each group's regularized slices (the part the prox drives to zero).
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import type { Group, WeightSlice } from '@klevel/groups';
import { flattenLayers, weightNameOf } from './topology';

/** The measured size of one group. */
export interface GroupStats {
  /** The group. */
  group: Group;
  /** Euclidean norm of its regularized slices. */
  norm: number;
  /** Largest |x| over its regularized slices. */
  maxAbs: number;
  /** How the default zero test saw the group (e.g. zero at the consumer end), shown with the decision. */
  detail?: string;
}

/** Reads weight values lazily and caches them by variable name. */
export class WeightReader {
  private readonly byVariable = new Map<string, tfl.LayerVariable>();
  private readonly byLayerWeight = new Map<string, tfl.LayerVariable>();
  private readonly cache = new Map<string, Float32Array>();

  constructor(model: tfl.LayersModel) {
    for (const layer of flattenLayers(model)) {
      for (const w of layer.weights) {
        this.byVariable.set(w.name, w);
        this.byLayerWeight.set(`${layer.name}\u0000${weightNameOf(w)}`, w);
      }
    }
  }

  /** The variable a slice refers to (by variable name, else by layer + weight name). */
  variable(slice: Pick<WeightSlice, 'variableName' | 'layerName' | 'weightName'>): tfl.LayerVariable {
    const v =
      this.byVariable.get(slice.variableName) ??
      this.byLayerWeight.get(`${slice.layerName}\u0000${slice.weightName}`);
    if (v === undefined) {
      throw new Error(
        `planPruning: the partition refers to weight '${slice.variableName}' (layer '${slice.layerName}', ` +
          `'${slice.weightName}'), which the model does not have. Was the partition built for another model?`,
      );
    }
    return v;
  }

  /** The values of a variable as a flat Float32Array (row-major). */
  values(v: tfl.LayerVariable): Float32Array {
    let data = this.cache.get(v.name);
    if (data === undefined) {
      data = v.read().dataSync() as Float32Array;
      this.cache.set(v.name, data);
    }
    return data;
  }
}

/**
 * Calls `visit(value, flatIndex)` for every element of a row-major tensor of `shape` whose coordinate along `axis`
 * is one of `indices`.
 */
export function forEachInSlice(
  data: ArrayLike<number>,
  shape: readonly number[],
  axis: number,
  indices: readonly number[],
  visit: (value: number, flatIndex: number) => void,
): void {
  const size = shape[axis] ?? 1;
  let outer = 1;
  for (let i = 0; i < axis; i++) outer *= shape[i] as number;
  let inner = 1;
  for (let i = axis + 1; i < shape.length; i++) inner *= shape[i] as number;
  for (let o = 0; o < outer; o++) {
    for (const idx of indices) {
      const base = (o * size + idx) * inner;
      for (let j = 0; j < inner; j++) visit(data[base + j] as number, base + j);
    }
  }
}

/**
 * Like {@link forEachInSlice} for a whole {@link WeightSlice}, including multi-axis slices (`axes` set:
 * `indices` are row-major positions over `shape[axes]`, as in 'filter-shapes' and 'weights' groups).
 */
export function forEachInSliceOf(
  data: ArrayLike<number>,
  shape: readonly number[],
  slice: Pick<WeightSlice, 'axis' | 'indices' | 'axes'>,
  visit: (value: number, flatIndex: number) => void,
): void {
  const axes = slice.axes;
  if (axes === undefined || axes.length <= 1) {
    forEachInSlice(data, shape, slice.axis, slice.indices, visit);
    return;
  }
  const wanted = new Set(slice.indices);
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  for (let f = 0; f < data.length; f++) {
    let pos = 0;
    for (const ax of axes)
      pos = pos * (shape[ax] as number) + (Math.floor(f / (strides[ax] as number)) % (shape[ax] as number));
    if (wanted.has(pos)) visit(data[f] as number, f);
  }
}

/** Measures one group's regularized slices. */
export function measureGroup(group: Group, reader: WeightReader): GroupStats {
  let sumSq = 0;
  let maxAbs = 0;
  for (const slice of group.slices) {
    if (!slice.regularized) continue;
    const v = reader.variable(slice);
    forEachInSliceOf(reader.values(v), v.shape as number[], slice, (x) => {
      sumSq += x * x;
      const a = Math.abs(x);
      if (a > maxAbs || Number.isNaN(a)) maxAbs = Number.isNaN(a) ? Number.POSITIVE_INFINITY : a;
    });
  }
  return { group, norm: Math.sqrt(sumSq), maxAbs };
}
