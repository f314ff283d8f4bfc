/**
 * buildDependencyGraph: walks a tfjs-layers model (Sequential or functional, nested models flattened,
 * shared layers merged) and computes which channel positions are coupled, which weight axes follow which
 * channels, and which channels are zero-invariant (removable).
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import { type ChannelMap, ChannelTable, type Taint, type TaintKind } from './channel-table';
import { activationEffect, isKnownActivation } from './activations';
import type {
  AxisBinding,
  BindingRole,
  ChannelInfo,
  ChannelSpace,
  DependencyGraph,
  GraphOptions,
  LayerInfo,
  WeightInfo,
} from './graph-types';
import type { LayerHandler, LayerHandlerContext, Shape } from './handler-types';
import { getLayerHandler, unknownLayerMessage } from './registry';
import { collectLayers, isNestedModel, selectLayers } from './selectors';
import type { GroupType } from './types';

type Layer = tfl.layers.Layer;

interface SymbolicTensorLike {
  id: number;
  shape: Shape;
  sourceLayer?: { name: string };
}
interface NodeLike {
  inputTensors: SymbolicTensorLike[];
  outputTensors: SymbolicTensorLike[];
}
interface ContainerLike {
  layers: Layer[];
  inputs: SymbolicTensorLike[];
  outputs: SymbolicTensorLike[];
  inputLayers?: Layer[];
  containerNodes?: Set<string>;
}

interface PendingBinding {
  weightName: string;
  variableName: string;
  shape: number[];
  axis: number;
  role: BindingRole;
  regularized: boolean;
  atoms: Int32Array;
}

interface LayerState {
  layer: Layer;
  className: string;
  handler?: LayerHandler;
  excluded: boolean;
  weights: WeightInfo[];
  produced?: ChannelMap;
  opaqueOutputs: ChannelMap[];
  bindings: Map<string, PendingBinding>;
  inputs?: ChannelMap[];
  outputs?: ChannelMap[];
}

const FN = 'buildDependencyGraph';

function weightNameOf(v: tfl.LayerVariable): string {
  const original = v.originalName ?? v.name;
  return original.slice(original.lastIndexOf('/') + 1);
}

function describeWeights(layer: Layer): WeightInfo[] {
  return layer.weights.map((v) => ({
    weightName: weightNameOf(v),
    variableName: v.name,
    shape: [...v.shape] as number[],
    trainable: v.trainable,
  }));
}

class Walker {
  readonly table = new ChannelTable();
  readonly states = new Map<Layer, LayerState>();
  readonly order: LayerState[] = [];
  private readonly names = new Map<string, Layer>();

  constructor(private readonly excluded: ReadonlySet<Layer>) {}

  state(layer: Layer): LayerState {
    let s = this.states.get(layer);
    if (s) return s;
    const other = this.names.get(layer.name);
    if (other && other !== layer) {
      throw new Error(`${FN}: two different layers are named '${layer.name}'; give them unique names`);
    }
    this.names.set(layer.name, layer);
    const className = layer.getClassName();
    const excluded = this.excluded.has(layer);
    const handler = excluded ? undefined : getLayerHandler(className);
    if (!excluded && !handler) throw new Error(unknownLayerMessage(FN, className, layer.name));
    s = {
      layer,
      className,
      excluded,
      weights: describeWeights(layer),
      opaqueOutputs: [],
      bindings: new Map(),
      ...(handler ? { handler } : {}),
    };
    this.states.set(layer, s);
    this.order.push(s);
    return s;
  }

  walk(container: ContainerLike, inputMaps: ChannelMap[] | null): ChannelMap[] {
    const maps = new Map<number, ChannelMap>();
    container.inputs.forEach((t, i) => {
      if (inputMaps) {
        maps.set(t.id, inputMaps[i]!);
        return;
      }
      const name = container.inputLayers?.[i]?.name ?? t.sourceLayer?.name ?? `input_${i}`;
      const count = t.shape[t.shape.length - 1];
      if (count == null)
        throw new Error(`${FN}: model input '${name}' has an unknown channel (last) dimension`);
      const atoms = this.table.create(count, (index) => ({ kind: 'input', inputName: name, index }));
      this.table.taint(atoms, 'input', `it is part of model input '${name}'`);
      maps.set(t.id, atoms);
    });
    const useSet =
      container.containerNodes && container.containerNodes.size > 0 ? container.containerNodes : null;
    const pending: Array<{ layer: Layer; node: NodeLike }> = [];
    for (const layer of container.layers) {
      if (layer.getClassName() === 'InputLayer') continue;
      const nodes = (layer as unknown as { inboundNodes: NodeLike[] }).inboundNodes;
      nodes.forEach((node, k) => {
        if (!useSet || useSet.has(`${layer.name}_ib-${k}`)) pending.push({ layer, node });
      });
    }
    let remaining = pending;
    while (remaining.length > 0) {
      const next: typeof pending = [];
      for (const item of remaining) {
        const inputs = item.node.inputTensors.map((t) => maps.get(t.id));
        if (inputs.some((m) => m === undefined)) {
          next.push(item);
          continue;
        }
        const outs = this.call(item.layer, item.node, inputs as ChannelMap[]);
        item.node.outputTensors.forEach((t, i) => {
          maps.set(t.id, outs[i]!);
        });
      }
      if (next.length === remaining.length) {
        if (!useSet) break; // Sequential without node bookkeeping: nodes of other models stay unvisited
        throw new Error(
          `${FN}: could not order the calls of layer(s) ${next.map((p) => `'${p.layer.name}'`).join(', ')}`,
        );
      }
      remaining = next;
    }
    return container.outputs.map((t) => {
      const m = maps.get(t.id);
      if (!m) throw new Error(`${FN}: model output tensor ${t.id} is not reachable from the model inputs`);
      return m;
    });
  }

  private call(layer: Layer, node: NodeLike, inputs: ChannelMap[]): ChannelMap[] {
    if (isNestedModel(layer)) return this.walk(layer as unknown as ContainerLike, inputs);
    const s = this.state(layer);
    const outputShapes = node.outputTensors.map((t) => t.shape);
    let outs: ChannelMap[];
    if (s.excluded || !s.handler) {
      for (const m of inputs) this.table.taint(m, 'opaque', `it is read by excluded layer '${layer.name}'`);
      outs = outputShapes.map((shape, i) => {
        let m = s.opaqueOutputs[i];
        if (!m) {
          const count = shape[shape.length - 1] ?? 0;
          m = this.table.create(count, (index) => ({ kind: 'opaque', layerName: layer.name, index }));
          this.table.taint(m, 'opaque', `it is produced by excluded layer '${layer.name}'`);
          s.opaqueOutputs[i] = m;
        }
        return m;
      });
    } else {
      const ctx = this.context(
        s,
        inputs,
        node.inputTensors.map((t) => t.shape),
        outputShapes,
      );
      outs = s.handler.mapChannels(ctx);
      if (!Array.isArray(outs) || outs.length !== outputShapes.length) {
        ctx.fail(
          `its handler returned ${Array.isArray(outs) ? outs.length : 'no'} channel maps for ${outputShapes.length} outputs`,
        );
      }
      outs.forEach((m, i) => {
        const expected = outputShapes[i]![outputShapes[i]!.length - 1];
        if (expected != null && m.length !== expected) {
          ctx.fail(
            `its handler returned a channel map of length ${m.length} for output ${i} with ${expected} channels`,
          );
        }
      });
    }
    if (!s.inputs) {
      s.inputs = inputs;
      s.outputs = outs;
    }
    return outs;
  }

  private context(
    s: LayerState,
    inputs: ChannelMap[],
    inputShapes: Shape[],
    outputShapes: Shape[],
  ): LayerHandlerContext {
    const { layer, className, weights } = s;
    const table = this.table;
    const fail = (message: string): never => {
      throw new Error(`${FN}: layer '${layer.name}' (${className}): ${message}`);
    };
    const bind = (
      weightName: string,
      axis: number,
      map: ArrayLike<number>,
      role: BindingRole,
      regularized: boolean,
    ) => {
      const w = weights.find((x) => x.weightName === weightName);
      if (!w) return;
      if (!(axis >= 0 && axis < w.shape.length) || w.shape[axis] !== map.length) {
        fail(
          `bind '${weightName}' axis ${axis}: weight shape [${w.shape.join(', ')}] does not match a channel map of length ${map.length}`,
        );
      }
      const key = `${weightName}:${axis}:${role}`;
      const existing = s.bindings.get(key);
      if (existing) {
        for (let i = 0; i < map.length; i++) table.union(existing.atoms[i]!, map[i]!);
        return;
      }
      s.bindings.set(key, {
        weightName,
        variableName: w.variableName,
        shape: w.shape,
        axis,
        role,
        regularized,
        atoms: Int32Array.from(map),
      });
    };
    const taint = (map: ArrayLike<number>, kind: TaintKind, reason: string) => table.taint(map, kind, reason);
    return {
      layer,
      className,
      config: layer.getConfig() as Record<string, unknown>,
      inputs,
      inputShapes,
      outputShapes,
      produce(count: number) {
        if (!s.produced) {
          if (!Number.isInteger(count) || count < 0)
            fail(`produce(${count}): expected a non-negative integer`);
          s.produced = table.create(count, (index) => ({ kind: 'producer', layerName: layer.name, index }));
        } else if (s.produced.length !== count) {
          fail(`produce(${count}) after produce(${s.produced.length}) in an earlier call`);
        }
        return s.produced;
      },
      bindOutput: (w, axis, map) => bind(w, axis, map, 'output', true),
      bindInput: (w, axis, map) => bind(w, axis, map, 'input', false),
      bindChannelwise: (w, axis, map, regularized) => bind(w, axis, map, 'channelwise', regularized),
      couple(a, b) {
        if (a.length !== b.length) fail(`couple: channel maps of lengths ${a.length} and ${b.length}`);
        for (let i = 0; i < a.length; i++) table.union(a[i]!, b[i]!);
      },
      activation(map, activation) {
        const effect = activationEffect(activation);
        const name = typeof activation === 'string' ? activation : String(activation);
        const known = isKnownActivation(activation) ? '' : ' (unknown activation, assumed f(0) != 0)';
        if (effect === 'nonzero') {
          taint(
            map,
            'nonzero',
            `it passes activation '${name}' of layer '${layer.name}' with f(0) != 0${known}`,
          );
        } else if (effect === 'mixing') {
          taint(map, 'mixing', `activation '${name}' of layer '${layer.name}' mixes channels`);
        }
      },
      markNonZero: (map, reason) => taint(map, 'nonzero', reason),
      markMixing: (map, reason) => taint(map, 'mixing', reason),
      hasWeight: (w) => weights.some((x) => x.weightName === w),
      fail,
    };
  }
}

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
 *   excluded layer, and every op along its paths keeps zeros at zero (no sigmoid/softplus/..., no
 *   LayerNormalization or softmax over channels); removable as an input channel under the same rules
 *   except that f(0) != 0 activations are allowed (its consumers ignore it anyway).
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
export function analyseModel(model: tfl.LayersModel, excludedLayers: ReadonlySet<Layer>): DependencyGraph {
  const container = model as unknown as ContainerLike;
  const walker = new Walker(excludedLayers);
  const outputs = walker.walk(container, null);
  const outputLayers = (model as unknown as { outputLayers?: Layer[] }).outputLayers ?? [];
  const outputNames = outputLayers.map((l) => l.name);
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
    const source = origin.kind === 'input' ? `input:${origin.inputName}` : origin.layerName;
    if (!sourcesOf[id]!.includes(source)) sourcesOf[id]!.push(source);
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
