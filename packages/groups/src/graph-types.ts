/**
 * The dependency graph's public data model. Plain data (apart from the live `layer`/`model` references),
 * built once by {@link buildDependencyGraph} and read by partitions, the pruner and reports.
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import type { Taint } from './channel-table';
import type { GroupType } from './types';

/** How a weight axis relates to channels. */
export type BindingRole =
  /** Indexed by the layer's own output channels (kernel[..., o], bias[o]). */
  | 'output'
  /** Indexed by the channels the layer reads (kernel[:, :, c, :], rows of a Dense kernel). */
  | 'input'
  /** One entry per channel of a pass-through layer (BatchNorm, depthwise kernel and bias, PReLU alpha). */
  | 'channelwise';

/** One weight axis whose indices are tied to channels. */
export interface AxisBinding {
  layerName: string;
  /** Short weight name ('kernel', 'gamma', ...). */
  weightName: string;
  /** Full variable name (`LayerVariable.name`). */
  variableName: string;
  shape: number[];
  axis: number;
  role: BindingRole;
  /**
   * For role 'channelwise': whether the entry is a regularized member of filter groups (BN gamma/beta,
   * depthwise kernel/bias: true; BN moving statistics, LayerNorm, PReLU alpha: false). Role 'output' is
   * always regularized in filter groups and 'input' never (the reverse holds for channel groups).
   */
  regularized: boolean;
  /** Channel id (index into `DependencyGraph.channels`) of every index along `axis`. */
  channels: Int32Array;
}

/** One weight of a layer. */
export interface WeightInfo {
  weightName: string;
  variableName: string;
  shape: number[];
  trainable: boolean;
}

/** What the graph knows about one layer (nested models are flattened: their layers appear here). */
export interface LayerInfo {
  name: string;
  className: string;
  /** Position in topological order. */
  order: number;
  layer: tfl.layers.Layer;
  /** True when the layer was excluded from the analysis: its channels are opaque, its weights ungrouped. */
  excluded: boolean;
  weights: WeightInfo[];
  bindings: AxisBinding[];
  /** Channel ids of every input tensor of the layer's first call (position along the last axis -> channel). */
  inputChannels: Int32Array[];
  /** Channel ids of every output tensor of the layer's first call. */
  outputChannels: Int32Array[];
  /** Config field holding the number of output channels ('filters', 'units', 'outputDim'), if any. */
  configKey?: string;
  /** Group types a partition rule may ask of this layer. */
  groupTypes: GroupType[];
}

/** One coupled channel: every tensor position, across the whole network, that must be removed together. */
export interface ChannelInfo {
  id: number;
  /** The channel space it belongs to. */
  space: number;
  /** Output channels of producer layers that create it (several when an Add/Multiply couples producers). */
  producers: Array<{ layerName: string; index: number }>;
  /** Why filter-type groups of this channel are not removable (undefined = removable). */
  filterBlock?: Taint;
  /** Why channel-type (input channel) groups of this channel are not removable (undefined = removable). */
  channelBlock?: Taint;
  /** Every reason recorded on the channel. */
  taints: Taint[];
}

/**
 * A channel space: the channels of producers whose outputs are coupled (a conv, or every conv feeding the
 * same chain of residual adds). Concatenate does not merge spaces: its output lists several spaces.
 */
export interface ChannelSpace {
  id: number;
  /** Producer layers (in topological order), model inputs ('input:<name>') or excluded layers. */
  sources: string[];
  /** Channel ids, ascending. */
  channels: number[];
}

/** The analysed model. */
export interface DependencyGraph {
  model: tfl.LayersModel;
  /** Layers in topological order (nested models flattened). */
  layers: LayerInfo[];
  /** Lookup by layer name. */
  layerByName: ReadonlyMap<string, LayerInfo>;
  channels: ChannelInfo[];
  spaces: ChannelSpace[];
  /** Names of the layers excluded through options.exclude. */
  excluded: string[];
}

/** Options of {@link buildDependencyGraph}. */
export interface GraphOptions {
  /**
   * Layers to treat as opaque: their weights get no groups, the channels they read or produce become
   * non-removable. Use it for layers no handler describes (RNNs, custom layers).
   */
  exclude?: import('./selectors').LayerSelector;
}
