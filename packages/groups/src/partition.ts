/**
 * partitionGroups: turns a spec into disjoint groups of weight slices, each with its removability.
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import { measureAtBatchNorm } from './batchnorm-scales';
import { analyseModel } from './graph';
import type { AxisBinding, DependencyGraph, LayerInfo } from './graph-types';
import { getLayerHandler } from './registry';
import { collectLayers, type LayerSelector, selectLayers } from './selectors';
import { type GroupSpec, normalizeSpec, type ResolvedRule, resolveRules } from './spec';
import { buildTerms } from './terms';
import type { Group, GroupPartition, GroupType, WeightSlice } from './types';

/** Options of {@link partitionGroups}. */
export interface PartitionOptions {
  /** A graph already built for this model (skips the analysis; its exclusions apply). */
  graph?: DependencyGraph;
  /**
   * How a filter group followed by a BatchNormalization is measured: `'group'` (default) regularizes all of
   * it (kernel slice, bias, BN gamma and beta); `'scales'` only the BN gamma and beta, whose values are what
   * the channel contributes once BN has divided out the kernel's scale (network slimming's criterion). The
   * kernel slice and bias stay in the group and are removed with it.
   */
  batchNorm?: 'group' | 'scales';
}

type Mode = 'filter' | 'channel';

interface Hit {
  binding: AxisBinding;
  indices: number[];
}

/** Per channel, every (binding, indices) pair that refers to it, in topological then binding order. */
function indexChannels(graph: DependencyGraph): Hit[][] {
  const hits: Hit[][] = graph.channels.map(() => []);
  for (const layer of graph.layers) {
    for (const binding of layer.bindings) {
      const local = new Map<number, number[]>();
      binding.channels.forEach((ch, i) => {
        let list = local.get(ch);
        if (!list) {
          list = [];
          local.set(ch, list);
        }
        list.push(i);
      });
      for (const [ch, indices] of local) hits[ch]!.push({ binding, indices });
    }
  }
  return hits;
}

function sliceSize(s: WeightSlice, shape: number[]): number {
  const axes = s.axes ?? [s.axis];
  let rest = 1;
  shape.forEach((d, a) => {
    if (!axes.includes(a)) rest *= d;
  });
  return s.indices.length * rest;
}

function finish(
  partial: Omit<Group, 'size' | 'weight' | 'removable'>,
  shapes: Map<string, number[]>,
  block?: string,
): Group {
  let size = 0;
  for (const s of partial.slices) if (s.regularized) size += sliceSize(s, shapes.get(s.variableName)!);
  const group: Group = { ...partial, size, weight: Math.sqrt(size), removable: block === undefined };
  if (block !== undefined) group.reason = block;
  return group;
}

class Builder {
  readonly groups: Group[] = [];
  private readonly hits: Hit[][];
  private readonly done: Record<Mode, Map<number, Group>> = { filter: new Map(), channel: new Map() };
  readonly shapes = new Map<string, number[]>();

  constructor(
    private readonly graph: DependencyGraph,
    private readonly excluded: Set<string>,
  ) {
    this.hits = indexChannels(graph);
    for (const l of graph.layers) for (const w of l.weights) this.shapes.set(w.variableName, w.shape);
  }

  /** The filter or channel group of `channel` (created once; coupled layers share it). */
  coupled(mode: Mode, type: GroupType, channel: number): void {
    if (this.done[mode].has(channel)) return;
    const info = this.graph.channels[channel]!;
    const slices: WeightSlice[] = [];
    let excludedOwner: string | undefined;
    let anchor: { layerName: string; index: number } | undefined;
    for (const { binding, indices } of this.hits[channel]!) {
      let regularized =
        mode === 'filter'
          ? binding.role === 'output' || (binding.role === 'channelwise' && binding.regularized)
          : binding.role === 'input';
      if (regularized && this.excluded.has(binding.layerName)) {
        regularized = false;
        excludedOwner ??= binding.layerName;
      }
      const anchorRole = mode === 'filter' ? 'output' : 'input';
      if (!anchor && binding.role === anchorRole)
        anchor = { layerName: binding.layerName, index: indices[0]! };
      slices.push({
        layerName: binding.layerName,
        weightName: binding.weightName,
        variableName: binding.variableName,
        axis: binding.axis,
        indices: [...indices],
        regularized,
      });
    }
    if (!anchor) return;
    const what =
      mode === 'filter'
        ? `filter ${anchor.index} of '${anchor.layerName}'`
        : `input channel ${anchor.index} of '${anchor.layerName}'`;
    const taint = mode === 'filter' ? info.filterBlock : info.channelBlock;
    let block: string | undefined;
    if (taint) block = `${what} is compression-only: ${taint.reason}`;
    else if (excludedOwner)
      block = `${what} is compression-only: it is coupled with excluded layer '${excludedOwner}'`;
    const group = finish(
      {
        id: `${anchor.layerName}/${type}/${anchor.index}`,
        type,
        layerName: anchor.layerName,
        index: anchor.index,
        slices,
        channel,
      },
      this.shapes,
      block,
    );
    this.done[mode].set(channel, group);
    this.groups.push(group);
  }

  layerGroups(rule: ResolvedRule, layer: LayerInfo): void {
    const { type } = rule;
    if (type === 'filters' || type === 'neurons' || type === 'channels') {
      const role = type === 'channels' ? 'input' : 'output';
      const seen = new Set<number>();
      for (const b of layer.bindings) {
        if (b.role !== role) continue;
        for (const ch of b.channels) {
          if (seen.has(ch)) continue;
          seen.add(ch);
          this.coupled(type === 'channels' ? 'channel' : 'filter', type, ch);
        }
      }
      return;
    }
    if (type === 'filter-shapes') this.filterShapes(layer);
    else if (type === 'layer') this.wholeLayer(layer);
    else if (type === 'weights') this.scalars(layer);
    else this.custom(rule, layer);
  }

  private filterShapes(layer: LayerInfo): void {
    const b = layer.bindings.find((x) => x.role === 'output' && x.weightName === 'kernel')!;
    const axes = b.shape.map((_, a) => a).filter((a) => a !== b.axis);
    const count = axes.reduce((p, a) => p * b.shape[a]!, 1);
    for (let pos = 0; pos < count; pos++) {
      this.push(
        layer,
        'filter-shapes',
        pos,
        [{ ...this.base(layer, b.weightName), axis: axes[0]!, axes, indices: [pos], regularized: true }],
        `a filter shape (one im2col column of '${layer.name}') is compression-only`,
      );
    }
  }

  private wholeLayer(layer: LayerInfo): void {
    const slices: WeightSlice[] = layer.weights
      .filter((w) => w.shape.length > 0)
      .map((w) => ({
        ...this.base(layer, w.weightName),
        axis: 0,
        indices: Array.from({ length: w.shape[0]! }, (_, i) => i),
        regularized: w.trainable,
      }));
    this.push(layer, 'layer', 0, slices, `removing the whole layer '${layer.name}' would change the graph`);
  }

  private scalars(layer: LayerInfo): void {
    let k = 0;
    for (const w of layer.weights) {
      if (!w.trainable) continue;
      const axes = w.shape.map((_, a) => a);
      const n = w.shape.reduce((p, d) => p * d, 1);
      for (let pos = 0; pos < n; pos++) {
        const slice: WeightSlice = {
          ...this.base(layer, w.weightName),
          axis: 0,
          indices: [pos],
          regularized: true,
        };
        if (axes.length > 1) slice.axes = axes;
        this.push(layer, 'weights', k++, [slice], `a single weight of '${layer.name}' is compression-only`);
      }
    }
  }

  private custom(rule: ResolvedRule, layer: LayerInfo): void {
    const where = `partitionGroups: spec.rules[${rule.ruleIndex}] custom function on layer '${layer.name}'`;
    const out = rule.custom!(layer.layer, layer.weights);
    if (!Array.isArray(out))
      throw new TypeError(`${where}: expected an array of { slices }, got ${typeof out}`);
    out.forEach((g, k) => {
      if (!g || !Array.isArray(g.slices) || g.slices.length === 0) {
        throw new TypeError(
          `${where}: group ${k} must be { slices: [{ weightName, axis, indices }, ...] } with at least one slice`,
        );
      }
      const slices = g.slices.map((s, j) => {
        const w = layer.weights.find((x) => x.weightName === s.weightName);
        if (!w) {
          throw new Error(
            `${where}: group ${k} slice ${j} names weight '${s.weightName}'; the layer has ${layer.weights.map((x) => `'${x.weightName}'`).join(', ')}`,
          );
        }
        if (!Number.isInteger(s.axis) || s.axis < 0 || s.axis >= w.shape.length) {
          throw new RangeError(
            `${where}: group ${k} slice ${j}: axis ${s.axis} is out of range for shape [${w.shape.join(', ')}]`,
          );
        }
        const indices = [...new Set(s.indices)].sort((a, b) => a - b);
        if (
          indices.length === 0 ||
          indices.some((i) => !Number.isInteger(i) || i < 0 || i >= w.shape[s.axis]!)
        ) {
          throw new RangeError(
            `${where}: group ${k} slice ${j}: indices must be non-empty integers in [0, ${w.shape[s.axis]})`,
          );
        }
        return {
          ...this.base(layer, s.weightName),
          axis: s.axis,
          indices,
          regularized: s.regularized ?? true,
        };
      });
      this.push(layer, 'custom', k, slices, `custom groups of '${layer.name}' are compression-only`);
    });
  }

  private base(layer: LayerInfo, weightName: string) {
    const w = layer.weights.find((x) => x.weightName === weightName)!;
    return { layerName: layer.name, weightName, variableName: w.variableName };
  }

  private push(
    layer: LayerInfo,
    type: GroupType,
    index: number,
    slices: WeightSlice[],
    reason: string,
  ): void {
    this.groups.push(
      finish(
        { id: `${layer.name}/${type}/${index}`, type, layerName: layer.name, index, slices },
        this.shapes,
        reason,
      ),
    );
  }
}

/**
 * Partitions a model's parameters into groups following `spec`.
 *
 * - `'filters'` / `'neurons'`: output channel o of a producer: kernel[..., o] and bias[o] plus the
 *   BatchNorm gamma/beta and depthwise kernel/bias entries of that channel (regularized), BN moving
 *   statistics and every consumer's input slice (removed along). Channels coupled by Add & co. form ONE
 *   group (id and layerName from the first producer in topological order).
 * - `'channels'`: input channel c: the input slices of every consumer of that channel (regularized), the
 *   producers' output slices and channelwise entries (removed along).
 * - `'filter-shapes'`, `'layer'`, `'weights'`, `{ custom }`: compression-only groups.
 *
 * Groups are disjoint in their regularized parameters (overlaps are errors), ordered by the topological
 * position of `layerName`, then `index`; `weight = sqrt(size)`.
 *
 * @param model The model (must be the one `options.graph` was built from, if given).
 * @param spec A group type for every layer that has it (`'filters'`), or `{ rules, exclude }`.
 * @param options `graph`: a prebuilt {@link DependencyGraph}; `batchNorm: 'scales'`: a filter group whose
 *   producer feeds only a BatchNormalization is regularized on the BN gamma/beta alone (the producer's
 *   kernel slice and bias are then removed along, not regularized).
 * @example
 * const { groups, terms } = partitionGroups(model, {
 *   rules: [
 *     { layers: { className: ['Conv2D', 'Dense'] }, type: 'filters' },
 *     { layers: ['embed'], type: 'weights' },
 *   ],
 *   exclude: ['head'],
 * });
 */
export function partitionGroups(
  model: tfl.LayersModel,
  spec: GroupSpec,
  options: PartitionOptions = {},
): GroupPartition {
  const normalized = normalizeSpec(spec);
  const batchNorm = options.batchNorm ?? 'group';
  if (batchNorm !== 'group' && batchNorm !== 'scales') {
    throw new RangeError(
      `partitionGroups: options.batchNorm must be 'group' (regularize the whole filter group) or 'scales' ` +
        `(only the BatchNorm gamma/beta of BN-followed filters), got ${JSON.stringify(batchNorm)}.`,
    );
  }
  let graph = options.graph;
  if (graph && graph.model !== model) {
    throw new Error(
      'partitionGroups: options.graph was built for a different model; rebuild it with buildDependencyGraph(model)',
    );
  }
  if (!graph) {
    graph = analyseModel(
      model,
      normalized.exclude ? opaqueOnly(model, normalized.exclude) : new Set(),
      'partitionGroups',
    );
  }
  const { rules, excluded } = resolveRules(graph, normalized);
  const builder = new Builder(graph, excluded);
  for (const layer of graph.layers) {
    const rule = rules.find((r) => r.layers.includes(layer));
    if (rule) builder.layerGroups(rule, layer);
  }
  const order = new Map(graph.layers.map((l) => [l.name, l.order]));
  const groups = builder.groups
    .map((g, i) => ({ g, i }))
    .sort(
      (a, b) => order.get(a.g.layerName)! - order.get(b.g.layerName)! || a.g.index - b.g.index || a.i - b.i,
    )
    .map((x) => x.g);
  const measured = batchNorm === 'scales' ? atBatchNorm(model, groups, builder.shapes) : groups;
  return { groups: measured, terms: buildTerms(measured, builder.shapes) };
}

/** Every group measured at its BatchNorms ({@link measureAtBatchNorm}). */
function atBatchNorm(model: tfl.LayersModel, groups: Group[], shapes: Map<string, number[]>): Group[] {
  const layers = new Map(collectLayers(model).map((l) => [l.name, l]));
  return groups.map((g) => measureAtBatchNorm(g, layers, (s) => sliceSize(s, shapes.get(s.variableName)!)));
}

/** Of the excluded layers, the ones no handler describes (only those become opaque in the graph). */
function opaqueOnly(model: tfl.LayersModel, exclude: LayerSelector): Set<tfl.layers.Layer> {
  const picked = selectLayers(collectLayers(model), exclude, 'partitionGroups: spec.exclude');
  return new Set(picked.filter((layer) => !getLayerHandler(layer.getClassName())));
}
