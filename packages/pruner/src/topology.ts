/**
 * Thin helpers over a tfjs-layers model and its serialized (Keras-style) topology JSON: find every layer
 * (including layers of nested models) and the weights it owns by short weight name.
 */
import type * as tfl from '@tensorflow/tfjs-layers';

type Layer = tfl.layers.Layer;

/** A JSON object. */
export type JsonObject = Record<string, unknown>;

const MODEL_CLASSES = new Set(['Sequential', 'Model', 'Functional']);

/** True when the layer is itself a model (a nested Sequential or functional model). */
export function isNestedModel(layer: Layer): boolean {
  return (
    MODEL_CLASSES.has(layer.getClassName()) &&
    Array.isArray((layer as unknown as { layers?: unknown }).layers)
  );
}

/** Every non-model layer of `model`, depth first, nested models expanded, in layer order. */
export function flattenLayers(model: tfl.LayersModel): Layer[] {
  const out: Layer[] = [];
  const visit = (layers: Layer[]) => {
    for (const layer of layers) {
      if (isNestedModel(layer)) visit((layer as unknown as tfl.LayersModel).layers);
      else out.push(layer);
    }
  };
  visit(model.layers);
  return out;
}

/** Short weight name: the part of `originalName` after the last '/' ('conv2d_1/kernel' -> 'kernel'). */
export function weightNameOf(variable: tfl.LayerVariable): string {
  const original = variable.originalName;
  return original.slice(original.lastIndexOf('/') + 1);
}

/**
 * Maps layer name -> the `{class_name, config}` entry of that layer inside a serialized topology, nested
 * model configs included. The entries are the live objects of `topology`, so edits land in it.
 */
export function indexLayerEntries(topology: JsonObject): Map<string, JsonObject> {
  const out = new Map<string, JsonObject>();
  const visit = (modelConfig: JsonObject) => {
    const layers = modelConfig.layers;
    if (!Array.isArray(layers)) return;
    for (const entry of layers as JsonObject[]) {
      const config = entry.config as JsonObject | undefined;
      const name = (config?.name ?? entry.name) as string | undefined;
      if (MODEL_CLASSES.has(entry.class_name as string) && config != null) {
        visit(config);
        continue;
      }
      if (name !== undefined) out.set(name, entry);
    }
  };
  let root = topology;
  if (root.model_config != null) root = root.model_config as JsonObject;
  visit(root.config as JsonObject);
  return out;
}

/** `model.toJSON(null, false)` as a deep-copied plain object. */
export function serializeTopology(model: tfl.LayersModel): JsonObject {
  const json = model.toJSON(null, false) as unknown;
  return JSON.parse(JSON.stringify(json)) as JsonObject;
}

/** Maps nested model name -> its `{class_name, config}` entry inside a serialized topology (live objects). */
export function indexModelEntries(topology: JsonObject): Map<string, JsonObject> {
  const out = new Map<string, JsonObject>();
  const visit = (modelConfig: JsonObject) => {
    const layers = modelConfig.layers;
    if (!Array.isArray(layers)) return;
    for (const entry of layers as JsonObject[]) {
      const config = entry.config as JsonObject | undefined;
      if (MODEL_CLASSES.has(entry.class_name as string) && config != null) {
        out.set((config.name ?? entry.name) as string, entry);
        visit(config);
      }
    }
  };
  let root = topology;
  if (root.model_config != null) root = root.model_config as JsonObject;
  visit(root.config as JsonObject);
  return out;
}

/**
 * Throws a TypeError naming `api` unless `model` is a tfjs-layers model (checked structurally, so a second
 * copy of tfjs-layers still passes).
 */
export function expectLayersModel(model: unknown, api: string): asserts model is tfl.LayersModel {
  const m = model as { layers?: unknown; getLayer?: unknown } | null | undefined;
  if (m == null || typeof m !== 'object' || !Array.isArray(m.layers) || typeof m.getLayer !== 'function') {
    throw new TypeError(
      `${api}: 'model' must be a tfjs-layers LayersModel (from tfl.sequential, tfl.model, tfl.loadLayersModel ` +
        `or loadModel), got ${model === null ? 'null' : typeof model === 'object' ? 'an object without layers' : String(model)}.`,
    );
  }
}
