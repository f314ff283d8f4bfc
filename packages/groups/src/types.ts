/**
 * The data model shared by every klevel package (the contract between @klevel/groups and its users:
 * @klevel/wgsef's regularizers, @klevel/prox-callback, @klevel/hspg and @klevel/pruner).
 *
 * Vocabulary
 * - A *channel space* is one coupled dimension of the network: e.g. the output channels of a Conv2D,
 *   carried through BatchNormalization/ReLU/pooling, joined with the other branch of an Add. Every
 *   producer and consumer of the space indexes it the same way (Concatenate and Flatten remap indices).
 * - A *group* is a set of parameters that the regularizer treats as one unit (its norm is one entry of
 *   the group-norm vector). A *removable* group can be physically deleted by the pruner once all its
 *   regularized parameters are zero, without changing the model's outputs (zero-invariant group).
 *
 * Everything here is plain data (JSON-safe apart from the Int32Array in LayoutTerm), so plans and
 * partitions can be logged, diffed and edited.
 */

/** What a group is. */
export type GroupType =
  | 'filters' // output channel o of a Conv/Dense-like layer: kernel[..., o], bias[o], + BN entries, + consumers' input slices (not regularized)
  | 'channels' // input channel c of a layer: kernel[:, :, c, :] of every consumer of the space, + the producers' output slices (not regularized)
  | 'filter-shapes' // kernel[h, w, c, :]: one im2col column; compression only
  | 'neurons' // Dense unit o (alias of 'filters' for Dense layers)
  | 'layer' // the whole kernel of a layer; compression only unless a skip path keeps shapes valid
  | 'weights' // each scalar; compression only
  | 'custom'; // produced by a user function

/** One slice of one weight variable: the given indices along `axis`, all other axes in full. */
export interface WeightSlice {
  /** Name of the layer that owns the weight (`layer.name`). */
  layerName: string;
  /** Weight name inside the layer: 'kernel', 'bias', 'gamma', 'beta', 'moving_mean', 'moving_variance',
   *  'depthwise_kernel', 'pointwise_kernel', 'embeddings', ... (the part after the last '/' of
   *  `LayerVariable.originalName`). */
  weightName: string;
  /** Full variable name as tfjs reports it (`LayerVariable.name`), unique within the model. */
  variableName: string;
  /** Axis of the weight tensor the indices run along. */
  axis: number;
  /** Sorted, distinct indices along `axis` (or, when `axes` is set, row-major positions over `axes`). */
  indices: number[];
  /**
   * Extension for compression-only groups that select along several axes at once ('filter-shapes':
   * kernel[h, w, c, :]; 'weights': single scalars): the axes, sorted ascending, with `axis === axes[0]`;
   * `indices` are then row-major positions over `shape[axes]`. Absent for every slice of 'filters',
   * 'neurons' and 'channels' groups, whose slices are single-axis.
   */
  axes?: number[];
  /** True when the slice is part of the group's norm (the prox acts on it). False when it is only
   *  removed along with the group (BN moving statistics, consumers' input slices for a filter group). */
  regularized: boolean;
}

/** A group of parameters. */
export interface Group {
  /** Stable id, e.g. 'conv2d_1/filters/3'. */
  id: string;
  type: GroupType;
  /** The layer the group belongs to (for coupled groups: the first producer in topological order; for
   *  'channels' groups: the first consumer). */
  layerName: string;
  /** Position of the group inside its layer's groups (filter index, unit index, ...). */
  index: number;
  /** Every weight slice the group owns. */
  slices: WeightSlice[];
  /** Number of regularized scalars (sum over regularized slices). */
  size: number;
  /** Default group weight w_j = sqrt(size). */
  weight: number;
  /** True when the pruner can physically remove the group once it is zero (zero-invariant). */
  removable: boolean;
  /** Why the group is compression-only, when it is not removable (shown in reports). */
  reason?: string;
  /**
   * Extension: for 'filters', 'neurons' and 'channels' groups, the id of the coupled channel in the
   * DependencyGraph (`graph.channels[channel]`) the group removes.
   */
  channel?: number;
}

/**
 * Compact, tensor-free description of how the groups of a partition lie inside the variables, used by
 * the device-side prox: for each term, sum the squares of the variable over every axis NOT in
 * `groupAxes`, which leaves one squared norm per position of `groupAxes` (row-major); `groupIds` maps
 * that position to its group (index into `GroupPartition.groups`), or -1 if the position belongs to
 * no group. A group may collect positions from several terms (kernel + bias + BN gamma/beta, or the
 * two branches of an Add).
 */
export interface LayoutTerm {
  variableName: string;
  layerName: string;
  weightName: string;
  shape: number[];
  /** Axes that index groups; [] means the whole variable is one position. Sorted ascending. */
  groupAxes: number[];
  /** Length = product of shape[groupAxes]; group index per position, -1 = none. */
  groupIds: Int32Array;
}

/** The result of partitioning a model's parameters into groups. */
export interface GroupPartition {
  groups: Group[];
  /** Only regularized slices appear here. */
  terms: LayoutTerm[];
}
