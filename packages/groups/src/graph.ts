/**
 * buildDependencyGraph: walks a tfjs-layers model (Sequential or functional, nested models flattened,
 * shared layers merged) and computes which channel positions are coupled, which weight axes follow which
 * channels, and which channels are zero-invariant (removable).
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import type { ChannelMap, Taint, TaintKind } from './channel-table';
import type {
  AxisBinding,
  ChannelInfo,
  ChannelSpace,
  DependencyGraph,
  GraphOptions,
  LayerInfo,
} from './graph-types';
import { type ContainerLike, FN, type LayerState, Walker } from './graph-walk';
import { collectLayers, selectLayers } from './selectors';
import type { GroupType } from './types';

type Layer = tfl.layers.Layer;

const FILTER_BLOCKERS: TaintKind[] = ['input', 'output', 'opaque', 'mixing', 'nonzero'];
const CHANNEL_BLOCKERS: TaintKind[] = ['input', 'output', 'opaque', 'mixing'];

function firstTaint(taints: Taint[], kinds: TaintKind[]): Taint | undefined {
  for (const kind of kinds) {
    const t = taints.find((x) => x.kind === kind);
    if (t) return t;
  }
  return undefined;
}

function groupTypesOf(s: LayerState, bindings: AxisBinding[]): GroupType[] {
  if (s.excluded) return [];
  const types: GroupType[] = [];
  const outputs = bindings.filter((b) => b.role === 'output');
  if (outputs.length > 0) types.push('filters');
  for (const t of s.handler?.extraGroupTypes ?? []) if (!types.includes(t)) types.push(t);
  if (bindings.some((b) => b.role === 'input')) types.push('channels');
  if (outputs.some((b) => b.weightName === 'kernel' && b.shape.length >= 3)) types.push('filter-shapes');
  if (s.weights.length > 0) types.push('layer', 'weights', 'custom');
  return types;
}

/**
 * Analyses `model` and returns its {@link DependencyGraph}.
 *
 * Rules (see the package README for the full story):
 * - every position of a tensor's last axis is a channel atom; producers (Conv*, Dense, Embedding,
 *   SeparableConv2D) create atoms, pass-through layers forward them, Add/Multiply/Average/Maximum/Minimum
 *   couple them, Concatenate lays them side by side, Flatten repeats them (position p*C + c),
 *   DepthwiseConv2D repeats each one depthMultiplier times;
 * - a channel is removable as a filter when it is not part of a model input or output, reaches no
 *   excluded layer, is mixed by no op (LayerNormalization or softmax over channels), and no consumer
 *   reads it at a position that is nonzero once the group is zeroed (after sigmoid/softplus/... not
 *   followed by a BatchNorm or depthwise conv that zeroes it again); removable as an input channel under
 *   the same rules minus the last one (its consumers ignore it anyway).
 *
 * @param model A built tfjs-layers model (Sequential or functional; nested models are flattened).
 * @param options `exclude`: layers treated as opaque (default none).
 * @throws Error for a layer class with no handler (naming the layer and the two ways out), a
 *   non-channel-preserving Reshape, channels-first layers, or duplicate layer names.
 * @example
 * const graph = buildDependencyGraph(model);
 * graph.layerByName.get('conv1')!.bindings; // which axes of conv1's weights follow which channels
 */
export function buildDependencyGraph(model: tfl.LayersModel, options: GraphOptions = {}): DependencyGraph {
  if (model == null || !Array.isArray((model as unknown as { layers?: unknown }).layers)) {
    throw new TypeError(`${FN}: expected a tfjs-layers LayersModel, got ${String(model)}`);
  }
  const container = model as unknown as ContainerLike;
  if (!container.inputs || !container.outputs) {
    throw new Error(
      `${FN}: the model is not built; give its first layer an inputShape or call model.build()`,
    );
  }
  const excludedLayers = options.exclude
    ? new Set(selectLayers(collectLayers(model), options.exclude, `${FN}: options.exclude`))
    : new Set<Layer>();
  return analyseModel(model, excludedLayers);
}

/** buildDependencyGraph with the excluded layers already resolved (internal). */
export function analyseModel(
  model: tfl.LayersModel,
  excludedLayers: ReadonlySet<Layer>,
  api: string = FN,
): DependencyGraph {
  const container = model as unknown as ContainerLike;
  const walker = new Walker(excludedLayers, api);
  const outputs = walker.walk(container, null);
  const outputNames = container.outputs.map((t) => t.sourceLayer?.name);
  outputs.forEach((m, i) => {
    walker.table.taint(m, 'output', `it is part of model output '${outputNames[i] ?? i}'`);
  });
  return finalize(model, walker);
}

function finalize(model: tfl.LayersModel, walker: Walker): DependencyGraph {
  const { table } = walker;
  const channelOfRoot = new Map<number, number>();
  const channelOfAtom = new Int32Array(table.size);
  const channels: ChannelInfo[] = [];
  const sourcesOf: string[][] = [];
  for (let atom = 0; atom < table.size; atom++) {
    const root = table.find(atom);
    let id = channelOfRoot.get(root);
    if (id === undefined) {
      id = channels.length;
      channelOfRoot.set(root, id);
      channels.push({ id, space: -1, producers: [], taints: [] });
      sourcesOf.push([]);
    }
    channelOfAtom[atom] = id;
    const ch = channels[id]!;
    const origin = table.origins[atom]!;
    if (origin.kind === 'producer') ch.producers.push({ layerName: origin.layerName, index: origin.index });
    if (origin.kind !== 'derived') {
      const source = origin.kind === 'input' ? `input:${origin.inputName}` : origin.layerName;
      if (!sourcesOf[id]!.includes(source)) sourcesOf[id]!.push(source);
    }
    for (const t of table.taintsOf(atom)) {
      if (!ch.taints.some((x) => x.kind === t.kind && x.reason === t.reason)) ch.taints.push(t);
    }
  }
  for (const ch of channels) {
    const fb = firstTaint(ch.taints, FILTER_BLOCKERS);
    const cb = firstTaint(ch.taints, CHANNEL_BLOCKERS);
    if (fb) ch.filterBlock = fb;
    if (cb) ch.channelBlock = cb;
  }
  const spaces = buildSpaces(channels, sourcesOf);
  const layers: LayerInfo[] = [];
  const layerByName = new Map<string, LayerInfo>();
  const toChannels = (m: ChannelMap) => m.map((a) => channelOfAtom[a]!);
  walker.order.forEach((s, order) => {
    const bindings: AxisBinding[] = [...s.bindings.values()].map((b) => ({
      layerName: s.layer.name,
      weightName: b.weightName,
      variableName: b.variableName,
      shape: b.shape,
      axis: b.axis,
      role: b.role,
      regularized: b.regularized,
      channels: toChannels(b.atoms),
    }));
    const info: LayerInfo = {
      name: s.layer.name,
      className: s.className,
      order,
      layer: s.layer,
      excluded: s.excluded,
      weights: s.weights,
      bindings,
      inputChannels: (s.inputs ?? []).map(toChannels),
      outputChannels: (s.outputs ?? []).map(toChannels),
      groupTypes: groupTypesOf(s, bindings),
      ...(s.handler?.configKey ? { configKey: s.handler.configKey } : {}),
    };
    layers.push(info);
    layerByName.set(info.name, info);
  });
  const excluded = layers.filter((l) => l.excluded).map((l) => l.name);
  return { model, layers, layerByName, channels, spaces, excluded };
}

function buildSpaces(channels: ChannelInfo[], sourcesOf: string[][]): ChannelSpace[] {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let r = x;
    while (parent.get(r) !== r) r = parent.get(r)!;
    parent.set(x, r);
    return r;
  };
  for (const sources of sourcesOf) {
    for (const s of sources) if (!parent.has(s)) parent.set(s, s);
    for (let i = 1; i < sources.length; i++) {
      const a = find(sources[0]!);
      const b = find(sources[i]!);
      if (a !== b) parent.set(b, a);
    }
  }
  const spaceOfRoot = new Map<string, ChannelSpace>();
  const spaces: ChannelSpace[] = [];
  channels.forEach((ch, id) => {
    const root = find(sourcesOf[id]![0]!);
    let space = spaceOfRoot.get(root);
    if (!space) {
      space = { id: spaces.length, sources: [], channels: [] };
      spaceOfRoot.set(root, space);
      spaces.push(space);
    }
    for (const s of sourcesOf[id]!) if (!space.sources.includes(s)) space.sources.push(s);
    space.channels.push(id);
    ch.space = space.id;
  });
  return spaces;
}
