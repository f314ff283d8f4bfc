/**
 * countFlops / countParams: per-sample multiply-accumulates and parameter counts, per layer.
 *
 * Convention (MACs, per sample, one forward pass):
 * - Conv1D/2D/3D: OH*OW*KH*KW*Cin*Cout (spatial output positions x kernel taps x Cin x Cout);
 * - Conv2DTranspose: IH*IW*KH*KW*Cin*Cout (each input pixel scatters a KH x KW patch);
 * - DepthwiseConv2D: OH*OW*KH*KW*C*mult; SeparableConv2D: depthwise part + OH*OW*C*mult*Cout;
 * - Dense: in*out times the product of any extra (time) dimensions;
 * - everything else (BatchNorm, pooling, activations, merges, bias adds, embedding lookups): 0.
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import { assertFiniteWeights } from './finite';
import type { Shape } from './handler-types';
import { getLayerHandler } from './registry';
import { collectLayers, isNestedModel, type LayerSelector, selectLayers } from './selectors';
import { UnknownLayerError } from './unknown-layer';

/** Result of {@link countFlops}. */
export interface FlopCount {
  /** Multiply-accumulates per sample for the whole model. */
  total: number;
  /** Multiply-accumulates per sample by layer name (topological order; shared layers summed over calls). */
  perLayer: Record<string, number>;
  /**
   * The layers `options.exclude` named, which were counted as 0 MACs whatever they compute (so `total` is a
   * lower bound when this is not empty). Empty when nothing was excluded.
   */
  countedAsZero: Array<{ layerName: string; className: string }>;
}

/** Result of {@link countParams}. */
export interface ParamCount {
  /** Every weight, trainable or not (BN moving statistics included). */
  total: number;
  trainable: number;
  /** Number of parameters by layer name (nested models flattened). */
  perLayer: Record<string, number>;
}

/** Options of {@link countFlops}. */
export interface FlopOptions {
  /** Layers to count as 0 MACs (for classes no handler describes). */
  exclude?: LayerSelector;
}

interface ContainerLike {
  layers: tfl.layers.Layer[];
  containerNodes?: Set<string>;
}
interface NodeLike {
  inputTensors: Array<{ shape: Shape }>;
  outputTensors: Array<{ shape: Shape }>;
}

function callsOf(container: ContainerLike, layer: tfl.layers.Layer): NodeLike[] {
  const nodes = (layer as unknown as { inboundNodes: NodeLike[] }).inboundNodes;
  const set = container.containerNodes;
  if (!set || set.size === 0) return nodes.slice(0, 1);
  return nodes.filter((_, k) => set.has(`${layer.name}_ib-${k}`));
}

/**
 * Counts multiply-accumulates per sample (see the module doc for the convention), using the static
 * shapes recorded in the model's graph (the batch dimension is ignored).
 *
 * @param model A built tfjs-layers model.
 * @param options `exclude`: layers counted as 0 (needed for classes without a handler); they are listed in
 *   the result's `countedAsZero`.
 * @throws Error naming the weight and layer when a weight is NaN or infinite (a diverged model);
 *   UnknownLayerError naming the layer for a class with no handler (and the `exclude` that avoids it);
 *   Error for unknown (null) spatial dimensions.
 * @example
 * const { total, perLayer } = countFlops(lenet5); // total MACs per image
 */
export function countFlops(model: tfl.LayersModel, options: FlopOptions = {}): FlopCount {
  if (model == null || !Array.isArray((model as unknown as { layers?: unknown }).layers)) {
    throw new TypeError(
      `countFlops: 'model' must be a tfjs-layers LayersModel (tfl.sequential, tfl.model or tfl.loadLayersModel), got ${String(model)}`,
    );
  }
  assertFiniteWeights(model, 'countFlops');
  const excluded = options.exclude
    ? new Set(selectLayers(collectLayers(model), options.exclude, 'countFlops: options.exclude'))
    : new Set<tfl.layers.Layer>();
  const perLayer: Record<string, number> = {};
  const countedAsZero: FlopCount['countedAsZero'] = [];
  const visit = (container: ContainerLike, times: number) => {
    for (const layer of container.layers) {
      const className = layer.getClassName();
      if (className === 'InputLayer') continue;
      const calls = callsOf(container, layer);
      if (isNestedModel(layer)) {
        visit(layer as unknown as ContainerLike, times * calls.length);
        continue;
      }
      if (excluded.has(layer)) {
        if (!(layer.name in perLayer)) countedAsZero.push({ layerName: layer.name, className });
        perLayer[layer.name] = perLayer[layer.name] ?? 0;
        continue;
      }
      const handler = getLayerHandler(className);
      if (!handler) throw new UnknownLayerError('countFlops', className, layer.name);
      const config = layer.getConfig() as Record<string, unknown>;
      let macs = 0;
      for (const node of calls) {
        if (!handler.macs) continue;
        macs += handler.macs({
          layer,
          config,
          inputShapes: node.inputTensors.map((t) => t.shape),
          outputShapes: node.outputTensors.map((t) => t.shape),
        });
      }
      perLayer[layer.name] = (perLayer[layer.name] ?? 0) + macs * times;
    }
  };
  visit(model as unknown as ContainerLike, 1);
  const total = Object.values(perLayer).reduce((s, x) => s + x, 0);
  return { total, perLayer, countedAsZero };
}

/**
 * Counts parameters per layer (nested models flattened, shared layers once).
 *
 * @example countParams(model).perLayer.conv1 // kernel + bias sizes
 */
export function countParams(model: tfl.LayersModel): ParamCount {
  const perLayer: Record<string, number> = {};
  let total = 0;
  let trainable = 0;
  for (const layer of collectLayers(model)) {
    let n = 0;
    for (const w of layer.weights) {
      const size = w.shape.reduce((p: number, d) => p * (d ?? 0), 1);
      n += size;
      if (w.trainable) trainable += size;
    }
    perLayer[layer.name] = n;
    total += n;
  }
  return { total, trainable, perLayer };
}
