/**
 * A small reference remover for the tests: zero a group's regularized slices, then physically remove
 * graph channels by rebuilding the model from its JSON config (smaller filters/units) and gathering the
 * kept slices of every bound weight axis. It trusts nothing but the DependencyGraph's bindings.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { DependencyGraph } from '../graph-types';
import { collectLayers } from '../selectors';
import type { Group } from '../types';

function strides(shape: number[]): number[] {
  const out = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) out[i] = out[i + 1]! * shape[i + 1]!;
  return out;
}

/** Sets every regularized parameter of `groups` to zero (in place). */
export function zeroGroups(model: tfl.LayersModel, groups: Group[]): void {
  const byName = new Map(model.weights.map((w) => [w.name, w]));
  for (const g of groups) {
    for (const s of g.slices) {
      if (!s.regularized) continue;
      const v = byName.get(s.variableName)!;
      const shape = v.shape as number[];
      const data = v.read().dataSync().slice() as Float32Array;
      const st = strides(shape);
      const axes = s.axes ?? [s.axis];
      const dims = axes.map((a) => shape[a]!);
      const sub = strides(dims);
      const wanted = new Set(s.indices);
      for (let flat = 0; flat < data.length; flat++) {
        let pos = 0;
        axes.forEach((a, k) => {
          pos += (Math.floor(flat / st[a]!) % shape[a]!) * sub[k]!;
        });
        if (wanted.has(pos)) data[flat] = 0;
      }
      const t = tf.tensor(data, shape);
      v.write(t);
      t.dispose();
    }
  }
}

const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** Rebuilds `model` without the graph channels in `removed`. */
export async function removeChannels(
  model: tfl.LayersModel,
  graph: DependencyGraph,
  removed: ReadonlySet<number>,
): Promise<tfl.LayersModel> {
  const newCount = new Map<string, [string, number]>();
  for (const info of graph.layers) {
    const out = info.bindings.find((b) => b.role === 'output');
    if (!info.configKey || !out) continue;
    newCount.set(info.name, [snake(info.configKey), [...out.channels].filter((c) => !removed.has(c)).length]);
  }
  const layersByName = new Map(collectLayers(model).map((l) => [l.name, l]));
  const topology = model.toJSON(null, false) as unknown as Record<string, unknown>;
  const visit = (node: unknown) => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (node == null || typeof node !== 'object') return;
    const obj = node as Record<string, unknown>;
    const config = obj.config as Record<string, unknown> | undefined;
    if (typeof obj.class_name === 'string' && config && typeof config.name === 'string') {
      const change = newCount.get(config.name);
      if (change) config[change[0]] = change[1];
      const info = graph.layerByName.get(config.name);
      if (obj.class_name === 'Reshape' && info && Array.isArray(config.target_shape)) {
        const target = config.target_shape as number[];
        target[target.length - 1] = [...info.outputChannels[0]!].filter((c) => !removed.has(c)).length;
      }
      const layer = layersByName.get(config.name) as unknown as { depthMultiplier?: number } | undefined;
      if (obj.class_name === 'SeparableConv2D' && layer?.depthMultiplier)
        config.depth_multiplier = layer.depthMultiplier;
    }
    for (const value of Object.values(obj)) visit(value);
  };
  visit(topology);
  const clone = await tfl.models.modelFromJSON(topology as never);
  const newLayers = new Map(collectLayers(clone).map((l) => [l.name, l]));
  for (const info of graph.layers) {
    if (info.weights.length === 0) continue;
    const target = newLayers.get(info.name)!;
    const values = info.layer.weights.map((w, wi) => {
      const weightName = info.weights[wi]!.weightName;
      let value: tf.Tensor = w.read();
      for (const b of info.bindings.filter((x) => x.weightName === weightName)) {
        const keep = [...b.channels.keys()].filter((i) => !removed.has(b.channels[i]!));
        if (keep.length === b.channels.length) continue;
        const next = tf.tidy(() => tf.clone(tf.gather(value, keep, b.axis)));
        if (value !== w.read()) value.dispose();
        value = next;
      }
      return value;
    });
    target.setWeights(values);
    info.layer.weights.forEach((w, wi) => {
      if (values[wi] !== w.read()) values[wi]!.dispose();
    });
  }
  return clone;
}

/** Runs `model` on `x` and returns every output as a flat array (disposing the outputs). */
export function outputs(model: tfl.LayersModel, x: tf.Tensor | tf.Tensor[]): Float32Array[] {
  const y = model.predict(x) as tf.Tensor | tf.Tensor[];
  const list = Array.isArray(y) ? y : [y];
  const out = list.map((t) => t.dataSync() as Float32Array);
  tf.dispose(list);
  return out;
}
