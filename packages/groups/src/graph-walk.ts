/**
 * The graph walker: visits every call of every layer in dependency order (nested models recursively,
 * shared layers once per call), runs the layer handlers through a LayerHandlerContext and records the
 * weight bindings. Internal to buildDependencyGraph.
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import { activationEffect, isKnownActivation } from './activations';
import { type ChannelMap, ChannelTable, type TaintKind } from './channel-table';
import type { BindingRole, WeightInfo } from './graph-types';
import type { LayerHandler, LayerHandlerContext, Shape } from './handler-types';
import { getLayerHandler } from './registry';
import { isNestedModel } from './selectors';
import { UnknownLayerError } from './unknown-layer';

type Layer = tfl.layers.Layer;

export interface SymbolicTensorLike {
  id: number;
  shape: Shape;
  sourceLayer?: { name: string };
}
interface NodeLike {
  inputTensors: SymbolicTensorLike[];
  outputTensors: SymbolicTensorLike[];
}
export interface ContainerLike {
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

export interface LayerState {
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

export const FN = 'buildDependencyGraph';

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

export class Walker {
  readonly table = new ChannelTable();
  readonly states = new Map<Layer, LayerState>();
  readonly order: LayerState[] = [];
  private readonly names = new Map<string, Layer>();

  /** @param api The public function the user called (named by the unknown-layer error). */
  constructor(
    private readonly excluded: ReadonlySet<Layer>,
    private readonly api: string = FN,
  ) {}

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
    if (!excluded && !handler) throw new UnknownLayerError(this.api, className, layer.name);
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
      if (role === 'input') {
        for (let i = 0; i < map.length; i++) {
          const why = table.nonzeroReason(map[i]!);
          if (why !== undefined)
            table.taint([map[i]!], 'nonzero', `${why}, and layer '${layer.name}' reads it`);
        }
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
          return table.derive(
            map,
            `it passes activation '${name}' of layer '${layer.name}' with f(0) != 0${known}`,
            layer.name,
          );
        }
        if (effect === 'mixing')
          taint(map, 'mixing', `activation '${name}' of layer '${layer.name}' mixes channels`);
        return map;
      },
      markNonZero: (map, reason) => table.derive(map, reason, layer.name),
      clearNonZero: (map) => table.derive(map, null, layer.name),
      markMixing: (map, reason) => taint(map, 'mixing', reason),
      isNonZero: (map, position) => table.nonzeroReason(map[position]!) !== undefined,
      hasWeight: (w) => weights.some((x) => x.weightName === w),
      fail,
    };
  }
}
