/**
 * `applyPlan`: build a NEW, smaller `tfl.LayersModel` from a {@link PruningPlan}. The input model is only
 * read: its topology is serialized, the planned layers' configs are rewritten by their surgery handlers,
 * the model is rebuilt from that JSON and the kept weight slices are gathered into it.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { AxisPlan, LayerPlan, PruningPlan } from './plan-types';
import { PLAN_FORMAT } from './plan-types';
import type { SurgeryContext, SurgeryHandler } from './surgery/handler';
import { getSurgeryHandler } from './surgery/registry';
import { PrunedChannelCounter } from './channel-counts';
import {
  expectLayersModel,
  flattenLayers,
  indexLayerEntries,
  indexModelEntries,
  isNestedModel,
  type JsonObject,
  serializeTopology,
  weightNameOf,
} from './topology';

/** Options of {@link applyPlan}. */
export interface ApplyPlanOptions {
  /** Surgery handlers for this call only, keyed by class name; they win over registered ones. */
  handlers?: Record<string, SurgeryHandler>;
  /** Custom classes needed to deserialize the topology (passed to `tf.models.modelFromJSON`). */
  customObjects?: tf.serialization.ConfigDict;
  /**
   * Layers @klevel/groups should treat as opaque when applyPlan needs the dependency graph (only for
   * Reshape layers and nested models that receive pruned channels). Defaults to [].
   */
  exclude?: readonly string[];
}

/**
 * Gathers `kept` indices along each listed axis of `x`. The result is a fresh tensor owned by the caller
 * (every gather is followed by a clone, and a clone is taken when nothing is gathered: on
 * tfjs-backend-wasm 4.22 a raw `tf.gather` result keeps a stale backend shape that breaks a FusedConv2D
 * bias; the clone writes a fresh buffer with the right shape).
 *
 * @param x The tensor to slice (not disposed).
 * @param axes Axes and the indices to keep along each.
 * @example
 * const kernel = gatherKept(conv.getWeights()[0], [{ axis: 3, kept: [0, 2, 5] }]);
 */
export function gatherKept(x: tf.Tensor, axes: readonly Pick<AxisPlan, 'axis' | 'kept'>[]): tf.Tensor {
  return tf.tidy(() => {
    let t = tf.clone(x);
    for (const a of axes) t = tf.clone(tf.gather(t, tf.tensor1d(a.kept, 'int32'), a.axis));
    return t;
  });
}

function checkAxis(where: string, a: AxisPlan, shape: readonly number[], allowed: readonly number[]): void {
  if (!Number.isInteger(a.axis) || a.axis < 0 || a.axis >= shape.length) {
    throw new RangeError(`applyPlan: ${where}: axis ${a.axis} is out of range for shape [${shape}].`);
  }
  if (!allowed.includes(a.axis)) {
    throw new RangeError(
      `applyPlan: ${where}: axis ${a.axis} cannot be pruned; prunable axes are [${allowed}]. ` +
        'Fix the plan, or register a surgery handler that allows it.',
    );
  }
  const size = shape[a.axis] as number;
  if (a.size !== size) {
    throw new RangeError(
      `applyPlan: ${where}: plan says axis ${a.axis} has size ${a.size}, model has ${size}.`,
    );
  }
  if (!Array.isArray(a.kept) || a.kept.length === 0) {
    throw new RangeError(
      `applyPlan: ${where}: axis ${a.axis} keeps no index; a layer needs at least one channel. ` +
        'Keep at least one index (planPruning keeps the largest zero group in that case).',
    );
  }
  for (let i = 0; i < a.kept.length; i++) {
    const k = a.kept[i] as number;
    if (!Number.isInteger(k) || k < 0 || k >= size || (i > 0 && k <= (a.kept[i - 1] as number))) {
      throw new RangeError(
        `applyPlan: ${where}: kept indices along axis ${a.axis} must be sorted, distinct integers in [0, ${size}); ` +
          `found ${k} at position ${i}.`,
      );
    }
  }
}

interface PreparedLayer {
  layer: tfl.layers.Layer;
  plan: LayerPlan;
  handler: SurgeryHandler;
  ctx: SurgeryContext;
}

function prepare(
  model: tfl.LayersModel,
  plan: PruningPlan,
  options: ApplyPlanOptions,
  counter: PrunedChannelCounter,
): PreparedLayer[] {
  if (plan == null || plan.format !== PLAN_FORMAT || !Array.isArray(plan.layers)) {
    throw new TypeError(
      `applyPlan: expected a plan from planPruning (format '${PLAN_FORMAT}'), got ${
        plan == null ? String(plan) : `format '${String((plan as { format?: unknown }).format)}'`
      }.`,
    );
  }
  const byName = new Map(flattenLayers(model).map((l) => [l.name, l]));
  const seen = new Set<string>();
  const prepared: PreparedLayer[] = [];
  for (const lp of plan.layers) {
    const layer = byName.get(lp.layerName);
    if (layer === undefined) {
      throw new Error(
        `applyPlan: the plan names layer '${lp.layerName}', which model '${model.name}' does not have.`,
      );
    }
    if (seen.has(lp.layerName))
      throw new Error(`applyPlan: layer '${lp.layerName}' appears twice in the plan.`);
    seen.add(lp.layerName);
    const className = layer.getClassName();
    if (lp.className !== className) {
      throw new Error(
        `applyPlan: plan says layer '${lp.layerName}' is a ${lp.className}, the model has a ${className}.`,
      );
    }
    const handler = getSurgeryHandler(className, options.handlers);
    if (handler === undefined) {
      throw new Error(
        `applyPlan: no surgery handler for layer '${lp.layerName}' (class ${className}). ` +
          'Exclude the layer from pruning, or register a handler with registerSurgeryHandler().',
      );
    }
    const oldShapes: Record<string, number[]> = {};
    for (const w of layer.weights) oldShapes[weightNameOf(w)] = [...w.shape] as number[];
    const newShapes: Record<string, number[]> = Object.fromEntries(
      Object.entries(oldShapes).map(([k, v]) => [k, [...v]]),
    );
    for (const wp of lp.weights) {
      const where = `layer '${lp.layerName}' weight '${wp.weightName}'`;
      const shape = oldShapes[wp.weightName];
      if (shape === undefined) {
        throw new Error(
          `applyPlan: ${where} does not exist; the layer has [${Object.keys(oldShapes).join(', ')}].`,
        );
      }
      const allowed = handler.prunableAxes[wp.weightName] ?? [];
      const axesSeen = new Set<number>();
      for (const a of wp.axes) {
        checkAxis(where, a, shape, allowed);
        if (axesSeen.has(a.axis)) throw new Error(`applyPlan: ${where}: axis ${a.axis} is listed twice.`);
        axesSeen.add(a.axis);
        (newShapes[wp.weightName] as number[])[a.axis] = a.kept.length;
      }
    }
    const ctx: SurgeryContext = {
      layerName: lp.layerName,
      className,
      oldShapes,
      newShapes,
      plan: lp,
      outputShape: layer.outputShape,
      inputSize: () => counter.inputSize(lp.layerName),
    };
    const problems = handler.validate?.(ctx) ?? [];
    if (problems.length > 0) {
      throw new Error(
        `applyPlan: inconsistent plan for layer '${lp.layerName}' (${className}): ${problems.join('; ')}.`,
      );
    }
    prepared.push({ layer, plan: lp, handler, ctx });
  }
  // Weightless layers whose config encodes the channel count are rewritten even when not planned.
  for (const layer of plan.layers.length > 0 ? byName.values() : []) {
    if (seen.has(layer.name)) continue;
    const className = layer.getClassName();
    const handler = getSurgeryHandler(className, options.handlers);
    if (handler?.alwaysRewrite !== true) continue;
    const lp: LayerPlan = { layerName: layer.name, className, weights: [] };
    const shapes = Object.fromEntries(layer.weights.map((w) => [weightNameOf(w), [...w.shape] as number[]]));
    const ctx: SurgeryContext = {
      layerName: layer.name,
      className,
      oldShapes: shapes,
      newShapes: shapes,
      plan: lp,
      outputShape: layer.outputShape,
      inputSize: () => counter.inputSize(layer.name),
    };
    prepared.push({ layer, plan: lp, handler, ctx });
  }
  return prepared;
}

/**
 * Builds a new model in which every weight listed in `plan` keeps only its planned indices. The input model
 * is never modified. The new model is not compiled: call `compile` again before training it.
 *
 * Layer configs are rewritten by per-class surgery handlers (see {@link registerSurgeryHandler}); after the
 * rebuild, every layer whose output shape changed must have a handler (pass-through layers are
 * registered), every weight must match the rebuilt layer's shape, and the model outputs must keep their
 * shapes. Anything else is refused with an error naming the layer.
 *
 * @param model The model to prune (read only).
 * @param plan A plan from {@link planPruning} (possibly edited).
 * @param options Per-call surgery handlers and custom objects.
 * @returns A new model; the caller owns it (dispose it when done).
 * @example
 * const plan = planPruning(model);
 * const small = await applyPlan(model, plan);
 */
export async function applyPlan(
  model: tfl.LayersModel,
  plan: PruningPlan,
  options: ApplyPlanOptions = {},
): Promise<tfl.LayersModel> {
  expectLayersModel(model, 'applyPlan');
  const counter = new PrunedChannelCounter(model, plan, options.exclude ?? []);
  const prepared = prepare(model, plan, options, counter);
  const topology = serializeTopology(model);
  const entries = indexLayerEntries(topology);
  if (plan.layers.length > 0) rewriteNestedInputs(model, topology, counter);
  for (const p of prepared) {
    const entry = entries.get(p.layer.name);
    if (entry === undefined) {
      throw new Error(
        `applyPlan: layer '${p.layer.name}' was not found in the serialized topology of '${model.name}'.`,
      );
    }
    entry.config = p.handler.rewriteConfig(entry.config as Record<string, unknown>, p.ctx);
  }

  let rebuilt: tfl.LayersModel;
  try {
    rebuilt = await tfl.models.modelFromJSON({ modelTopology: topology } as never, options.customObjects);
  } catch (e) {
    throw new Error(
      `applyPlan: rebuilding '${model.name}' from its rewritten topology failed: ${(e as Error).message}. ` +
        'Likely causes: (1) a custom class (layer, regularizer, initializer, constraint) is not registered ' +
        'with tf.serialization.registerClass (or pass it in options.customObjects); (2) a layer between ' +
        'pruned layers encodes the channel count in its config: exclude it, or register a surgery handler.',
    );
  }
  try {
    copyWeights(model, rebuilt, prepared);
    checkShapes(model, rebuilt, options);
  } catch (e) {
    rebuilt.dispose();
    throw e;
  }
  return rebuilt;
}

function copyWeights(model: tfl.LayersModel, rebuilt: tfl.LayersModel, prepared: PreparedLayer[]): void {
  const oldByName = new Map(flattenLayers(model).map((l) => [l.name, l]));
  const planByName = new Map(prepared.map((p) => [p.layer.name, p.plan]));
  for (const layer of flattenLayers(rebuilt)) {
    if (layer.weights.length === 0) continue;
    const old = oldByName.get(layer.name);
    if (old === undefined) throw new Error(`applyPlan: rebuilt layer '${layer.name}' has no counterpart.`);
    const lp = planByName.get(layer.name);
    const oldWeights = new Map(old.weights.map((w) => [weightNameOf(w), w]));
    const values: tf.Tensor[] = [];
    try {
      for (const w of layer.weights) {
        const name = weightNameOf(w);
        const src = oldWeights.get(name);
        if (src === undefined)
          throw new Error(`applyPlan: layer '${layer.name}' has a new weight '${name}'.`);
        const axes = lp?.weights.find((x) => x.weightName === name)?.axes ?? [];
        const value = gatherKept(src.read(), axes);
        values.push(value);
        if (!tf.util.arraysEqual(value.shape, w.shape as number[])) {
          throw new Error(
            `applyPlan: layer '${layer.name}' (${layer.getClassName()}) weight '${name}' has shape [${value.shape}] ` +
              `after the plan, but the rebuilt layer expects [${w.shape}]. The plan is inconsistent: a layer ` +
              'upstream changed its channel count but this layer was not pruned to match (or the reverse). ' +
              'Plans from planPruning prune every consumer; check edits and custom groups.',
          );
        }
      }
      layer.setWeights(values);
    } finally {
      tf.dispose(values);
    }
  }
}

function shapeKey(s: unknown): string {
  return JSON.stringify(s);
}

function checkShapes(model: tfl.LayersModel, rebuilt: tfl.LayersModel, options: ApplyPlanOptions): void {
  const oldByName = new Map(flattenLayers(model).map((l) => [l.name, l]));
  for (const layer of flattenLayers(rebuilt)) {
    const old = oldByName.get(layer.name);
    if (old === undefined) continue;
    if (shapeKey(old.outputShape) === shapeKey(layer.outputShape)) continue;
    if (getSurgeryHandler(layer.getClassName(), options.handlers) === undefined) {
      throw new Error(
        `applyPlan: layer '${layer.name}' (class ${layer.getClassName()}) would see a pruned channel count ` +
          `(output ${shapeKey(old.outputShape)} -> ${shapeKey(layer.outputShape)}), but the pruner does not ` +
          'know this class. Exclude the layers around it from pruning, or register a surgery handler for it.',
      );
    }
  }
  if (shapeKey(model.outputs.map((o) => o.shape)) !== shapeKey(rebuilt.outputs.map((o) => o.shape))) {
    throw new Error(
      `applyPlan: the plan changes the model's output shapes (${shapeKey(model.outputs.map((o) => o.shape))} -> ` +
        `${shapeKey(rebuilt.outputs.map((o) => o.shape))}); a pruned model must keep its outputs. ` +
        'Remove groups of output layers from the plan.',
    );
  }
}

/**
 * A nested model declares its input shapes in its own config (batch_input_shape of its InputLayer or first
 * layer); when pruning changes the channels that reach it, the declared last dimension is updated.
 */
function rewriteNestedInputs(
  model: tfl.LayersModel,
  topology: JsonObject,
  counter: PrunedChannelCounter,
): void {
  const modelEntries = indexModelEntries(topology);
  const visit = (container: tfl.LayersModel) => {
    for (const layer of container.layers) {
      if (!isNestedModel(layer)) continue;
      const nested = layer as unknown as tfl.LayersModel;
      visit(nested);
      const entry = modelEntries.get(nested.name);
      const config = entry?.config as JsonObject | undefined;
      const layers = config?.layers as JsonObject[] | undefined;
      if (layers === undefined) continue;
      nested.inputs.forEach((input, i) => {
        const node = nested.inputLayers[i]?.outboundNodes.find((n) =>
          nested.layers.includes(n.outboundLayer),
        );
        if (node === undefined) return;
        const consumer = node.outboundLayer;
        const k = node.inputTensors.indexOf(input);
        const { before, after } = counter.inputSize(consumer.name, Math.max(0, k));
        if (before === after) return;
        const inputName = nested.inputLayers[i]?.name;
        const holder =
          layers.find((l) => l.class_name === 'InputLayer' && (l.config as JsonObject).name === inputName) ??
          layers.find((l) => (l.config as JsonObject | undefined)?.batch_input_shape != null);
        const shape = (holder?.config as JsonObject | undefined)?.batch_input_shape as
          | Array<number | null>
          | undefined;
        if (shape === undefined) {
          throw new Error(
            `applyPlan: nested model '${nested.name}' receives pruned channels but declares no input shape to update.`,
          );
        }
        shape[shape.length - 1] = after;
      });
    }
  };
  visit(model);
}
