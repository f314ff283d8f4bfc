/**
 * `foldBatchNorm`: inference-time BatchNormalization folding. A BatchNormalization that directly follows a
 * linear Conv1D / Conv2D / DepthwiseConv2D / SeparableConv2D (its pointwise kernel) / Dense is an affine map per output channel, so it can be merged
 * into that layer's kernel and bias and removed from the graph. The input model is only read: its topology
 * is serialized, the BN entries are removed and their consumers rewired to the producer, the model is rebuilt
 * from that JSON and the folded weights are written into it.
 *
 * Math (per output channel o, inference mode): `s[o] = gamma[o] / sqrt(moving_variance[o] + epsilon)`,
 * `W'[..., o] = W[..., o] * s[o]`, `b'[o] = (b[o] - moving_mean[o]) * s[o] + beta[o]` (gamma = 1 without
 * `scale`, beta = 0 without `center`, b = 0 without `useBias`). A DepthwiseConv2D kernel
 * `[kh, kw, cin, mult]` has output channel `c * mult + m`.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { compareModels, type EquivalenceCheckOptions } from './equivalence';
import {
  indexLayerEntries,
  isNestedModel,
  type JsonObject,
  serializeTopology,
  weightNameOf,
} from './topology';

type Layer = tfl.layers.Layer;

/** Layer classes a BatchNormalization can be folded into, with the name of their kernel weight. */
const PRODUCERS: Record<string, string> = {
  Conv1D: 'kernel',
  Conv2D: 'kernel',
  DepthwiseConv2D: 'depthwise_kernel',
  Dense: 'kernel',
  SeparableConv2D: 'pointwise_kernel',
};

/** Options of {@link foldBatchNorm}. */
export interface FoldBatchNormOptions {
  /**
   * The output check (folded vs input model on seeded random inputs, inference mode); `false` skips it.
   * Defaults to `{ tolerance: 1e-4 }` (relative to the largest output of the input model).
   */
  check?: EquivalenceCheckOptions | false;
  /** Custom classes needed to deserialize the topology (passed to `tf.models.modelFromJSON`). */
  customObjects?: tf.serialization.ConfigDict;
}

/** A BatchNormalization that was left in place, and why. */
export interface UnfoldedBatchNorm {
  /** Name of the BatchNormalization layer. */
  layerName: string;
  /** Why it cannot be folded. */
  reason: string;
}

/** What {@link foldBatchNorm} returns. */
export interface FoldBatchNormResult {
  /** The new model (not compiled; the caller owns and disposes it). */
  model: tfl.LayersModel;
  /** Names of the BatchNormalization layers folded (and removed), in model order. */
  folded: string[];
  /** The producer each folded BatchNormalization was merged into (BN name -> producer name). */
  foldedInto: Record<string, string>;
  /** BatchNormalization layers left in place, with the reason. */
  notFolded: UnfoldedBatchNorm[];
  /** The measured output difference, when checked. */
  equivalence?: {
    maxRelativeDifference: number;
    maxAbsoluteDifference: number;
    samples: number;
    tolerance: number;
  };
}

interface Fold {
  bn: Layer;
  producer: Layer;
}

function normalizeAxis(axis: unknown, rank: number): number | undefined {
  const a = Array.isArray(axis) ? (axis.length === 1 ? axis[0] : undefined) : axis;
  if (typeof a !== 'number' || !Number.isInteger(a)) return undefined;
  return a < 0 ? a + rank : a;
}

/** Decides whether `bn` can be folded; returns the producer or the reason it cannot. */
function analyze(model: tfl.LayersModel, bn: Layer): Layer | string {
  if (bn.inboundNodes.length !== 1) {
    return `it is shared (called ${bn.inboundNodes.length} times); folding would change its other calls`;
  }
  const node = bn.inboundNodes[0] as (typeof bn.inboundNodes)[number];
  const producer = node.inboundLayers[0];
  if (producer === undefined || node.inboundLayers.length !== 1) return 'it does not have exactly one input';
  const cls = producer.getClassName();
  if (PRODUCERS[cls] === undefined) {
    return `its input comes from '${producer.name}' (${cls}), not from a Conv1D, Conv2D, DepthwiseConv2D, SeparableConv2D or Dense`;
  }
  if (producer.inboundNodes.length !== 1) {
    return `its producer '${producer.name}' is shared (called ${producer.inboundNodes.length} times)`;
  }
  const pconf = producer.getConfig() as { activation?: unknown; dataFormat?: unknown };
  if (pconf.activation !== undefined && pconf.activation !== 'linear') {
    return (
      `its producer '${producer.name}' applies activation '${String(pconf.activation)}' before it; ` +
      'only a linear producer can absorb a BatchNormalization'
    );
  }
  if (pconf.dataFormat === 'channelsFirst') {
    return `its producer '${producer.name}' is channels-first; only channels-last layers are folded`;
  }
  const inShape = producer.outputShape as Array<number | null>;
  const rank = inShape.length;
  const axis = normalizeAxis((bn.getConfig() as { axis?: unknown }).axis, rank);
  if (axis === undefined || axis !== rank - 1) {
    return (
      `its axis ${JSON.stringify((bn.getConfig() as { axis?: unknown }).axis)} is not the last (channel) axis ` +
      `of its rank-${rank} input`
    );
  }
  const consumers = producer.outboundNodes.length;
  if (consumers !== 1) {
    return `the output of its producer '${producer.name}' has ${consumers} consumers; the BatchNormalization must be the only one`;
  }
  if (model.outputLayers.includes(producer)) {
    return `the output of its producer '${producer.name}' is also a model output`;
  }
  return producer;
}

function rewireInbound(value: unknown, from: string, to: string): void {
  if (!Array.isArray(value)) return;
  if (value.length >= 3 && value[0] === from && typeof value[1] === 'number') {
    value[0] = to;
    value[1] = 0; // the producer is called once (checked), so its only node is 0
    return;
  }
  for (const v of value) rewireInbound(v, from, to);
}

/** Removes the BN entries from the topology and points their consumers at the producers. */
function rewriteTopology(topology: JsonObject, folds: readonly Fold[]): void {
  const entries = indexLayerEntries(topology);
  let root = topology;
  if (root.model_config != null) root = root.model_config as JsonObject;
  const config = root.config as JsonObject;
  const layers = config.layers as JsonObject[];
  for (const f of folds) {
    const bnEntry = entries.get(f.bn.name);
    const producerEntry = entries.get(f.producer.name);
    if (bnEntry === undefined || producerEntry === undefined || !layers.includes(bnEntry)) {
      throw new Error(
        `foldBatchNorm: layer '${f.bn.name}' or '${f.producer.name}' was not found at the top level of the serialized topology.`,
      );
    }
    layers.splice(layers.indexOf(bnEntry), 1);
    for (const entry of layers) rewireInbound(entry.inbound_nodes, f.bn.name, f.producer.name);
    rewireInbound(config.output_layers, f.bn.name, f.producer.name);
    const pconfig = producerEntry.config as JsonObject;
    pconfig.use_bias = true;
  }
}

function bnWeight(bn: Layer, name: string): tf.Tensor | undefined {
  return bn.weights.find((w) => weightNameOf(w) === name)?.read();
}

/** Folded [kernel, bias] of one producer, fresh tensors owned by the caller. */
function foldedWeights(f: Fold): { kernel: tf.Tensor; bias: tf.Tensor } {
  return tf.tidy(() => {
    const cls = f.producer.getClassName();
    const pw = new Map(f.producer.weights.map((w) => [weightNameOf(w), w.read()]));
    const kernel = pw.get(PRODUCERS[cls] as string) as tf.Tensor; // output channels on the last axis(es)
    const mean = bnWeight(f.bn, 'moving_mean') as tf.Tensor;
    const variance = bnWeight(f.bn, 'moving_variance') as tf.Tensor;
    const gamma = bnWeight(f.bn, 'gamma') ?? tf.onesLike(mean);
    const beta = bnWeight(f.bn, 'beta') ?? tf.zerosLike(mean);
    const bias = pw.get('bias') ?? tf.zerosLike(mean);
    const eps = (f.bn.getConfig() as { epsilon: number }).epsilon;
    const s = tf.div(gamma, tf.sqrt(tf.add(variance, tf.scalar(eps))));
    const outShape = kernel.shape.slice(cls === 'DepthwiseConv2D' ? -2 : -1);
    const newKernel = tf.mul(kernel, tf.reshape(s, outShape));
    const newBias = tf.add(tf.mul(tf.sub(bias, mean), s), beta);
    return { kernel: newKernel, bias: newBias };
  });
}

function copyWeights(model: tfl.LayersModel, rebuilt: tfl.LayersModel, folds: readonly Fold[]): void {
  const oldByName = new Map(model.layers.map((l) => [l.name, l]));
  const foldByProducer = new Map(folds.map((f) => [f.producer.name, f]));
  for (const layer of rebuilt.layers) {
    if (layer.weights.length === 0) continue;
    const old = oldByName.get(layer.name);
    if (old === undefined)
      throw new Error(`foldBatchNorm: rebuilt layer '${layer.name}' has no counterpart.`);
    const fold = foldByProducer.get(layer.name);
    if (fold === undefined) {
      // Unchanged layer (nested models included): copy its weights as they are.
      layer.setWeights(old.getWeights());
      continue;
    }
    const { kernel, bias } = foldedWeights(fold);
    try {
      const kernelName = PRODUCERS[layer.getClassName()] as string;
      const others = new Map(old.weights.map((w) => [weightNameOf(w), w.read()]));
      layer.setWeights(
        layer.weights.map((w) => {
          const name = weightNameOf(w);
          if (name === kernelName) return kernel;
          if (name === 'bias') return bias;
          const value = others.get(name);
          if (value === undefined)
            throw new Error(`foldBatchNorm: layer '${layer.name}' has a new weight '${name}'.`);
          return value; // e.g. the depthwise kernel of a SeparableConv2D, unchanged
        }),
      );
    } finally {
      tf.dispose([kernel, bias]);
    }
  }
}

/**
 * Builds a NEW model in which every BatchNormalization that directly follows a linear Conv1D, Conv2D,
 * DepthwiseConv2D, SeparableConv2D (folded into its pointwise kernel) or Dense (whose output it alone consumes) is merged into that layer's kernel and bias and
 * removed. Inference-time only: the moving statistics replace the batch statistics, so fold a trained model
 * for deployment, not one you will keep training with BatchNorm. Layer names of all other layers are kept;
 * a producer without a bias gets one. BatchNorms that cannot be folded stay in place and are listed in
 * `notFolded` with the reason: after a non-linear activation, a non-last axis (channels-first), shared
 * layers, an input with several consumers, inside a nested model. The input model is never modified.
 *
 * By default the folded model is checked against the input model on seeded random inputs (inference mode)
 * and the call fails if the outputs differ by more than `check.tolerance` (relative; default 1e-4).
 *
 * @param model The model to fold (read only).
 * @param options `check` (default `{ tolerance: 1e-4 }`, `false` skips) and `customObjects`.
 * @returns `{ model, folded, foldedInto, notFolded, equivalence }`; the caller owns `model`.
 * @example
 * const { model: deployed, folded, notFolded } = await foldBatchNorm(trained);
 * console.log(`folded ${folded.join(', ')}`, notFolded);
 * await saveModel(deployed, 'out/deploy');
 */
export async function foldBatchNorm(
  model: tfl.LayersModel,
  options: FoldBatchNormOptions = {},
): Promise<FoldBatchNormResult> {
  if (model == null || !Array.isArray((model as { layers?: unknown }).layers)) {
    throw new TypeError(`foldBatchNorm: expected a tfl.LayersModel, got ${String(model)}.`);
  }
  const folds: Fold[] = [];
  const notFolded: UnfoldedBatchNorm[] = [];
  const visitNested = (layers: Layer[], where: string) => {
    for (const l of layers) {
      if (isNestedModel(l)) visitNested((l as unknown as tfl.LayersModel).layers, l.name);
      else if (l.getClassName() === 'BatchNormalization') {
        notFolded.push({
          layerName: l.name,
          reason: `it is inside nested model '${where}'; only top-level layers are folded`,
        });
      }
    }
  };
  for (const layer of model.layers) {
    if (isNestedModel(layer)) {
      visitNested((layer as unknown as tfl.LayersModel).layers, layer.name);
      continue;
    }
    if (layer.getClassName() !== 'BatchNormalization') continue;
    const r = analyze(model, layer);
    if (typeof r === 'string') notFolded.push({ layerName: layer.name, reason: r });
    else folds.push({ bn: layer, producer: r });
  }

  const topology = serializeTopology(model);
  rewriteTopology(topology, folds);
  let rebuilt: tfl.LayersModel;
  try {
    rebuilt = await tfl.models.modelFromJSON({ modelTopology: topology } as never, options.customObjects);
  } catch (e) {
    throw new Error(
      `foldBatchNorm: rebuilding '${model.name}' without its folded BatchNorms failed: ${(e as Error).message}. ` +
        'If the model has custom classes, register them with tf.serialization.registerClass or pass ' +
        'options.customObjects.',
    );
  }
  let equivalence: FoldBatchNormResult['equivalence'];
  try {
    try {
      copyWeights(model, rebuilt, folds);
    } catch (e) {
      throw new Error(
        `foldBatchNorm: writing the weights into the rebuilt '${model.name}' failed: ${(e as Error).message}. ` +
          'A layer whose config does not round-trip through JSON cannot be rebuilt (tfjs-layers 4.22 drops ' +
          'the depthMultiplier of SeparableConv2D, so multipliers > 1 fail); models that save and load ' +
          'with tfl.loadLayersModel are fine.',
      );
    }
    if (options.check !== false) {
      const check = options.check ?? {};
      const tolerance = check.tolerance ?? 1e-4;
      if (!(tolerance >= 0))
        throw new RangeError(`foldBatchNorm: check.tolerance must be >= 0, got ${tolerance}.`);
      const measured = compareModels(rebuilt, model, check);
      equivalence = { ...measured, tolerance };
      if (!(measured.maxRelativeDifference <= tolerance)) {
        throw new Error(
          `foldBatchNorm: the folded model's outputs differ from the original's by ` +
            `${measured.maxRelativeDifference.toExponential(3)} (relative; max absolute ` +
            `${measured.maxAbsoluteDifference.toExponential(3)}) on ${measured.samples} samples, above ` +
            `check.tolerance ${tolerance}. Folded: ${folds.map((f) => `${f.bn.name} -> ${f.producer.name}`).join(', ')}. ` +
            'Likely causes: a BatchNormalization with a huge gamma / tiny variance (float32 rounding: raise ' +
            'check.tolerance), or a custom layer the folder does not understand. Please report it.',
        );
      }
    }
  } catch (e) {
    rebuilt.dispose();
    throw e;
  }
  return {
    model: rebuilt,
    folded: folds.map((f) => f.bn.name),
    foldedInto: Object.fromEntries(folds.map((f) => [f.bn.name, f.producer.name])),
    notFolded,
    ...(equivalence !== undefined ? { equivalence } : {}),
  };
}
