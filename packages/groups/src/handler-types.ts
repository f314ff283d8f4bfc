/**
 * The extension API: how a layer class declares its channel mapping (which output channels it creates,
 * which it passes through, which it couples) and which axes of its weights are indexed by which channels.
 * Every built-in layer is described with the same API (see builtin-handlers.ts), so a custom layer is a
 * first-class citizen once registered with {@link registerLayerHandler}.
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import type { ChannelMap } from './channel-table';
import type { GroupType } from './types';

/** A tensor shape as tfjs-layers reports it, batch dimension first (`null` = unknown). */
export type Shape = ReadonlyArray<number | null>;

/** One call of a layer, as seen by FLOP counting. */
export interface LayerCall {
  layer: tfl.layers.Layer;
  /** `layer.getConfig()`. */
  config: Record<string, unknown>;
  inputShapes: Shape[];
  outputShapes: Shape[];
}

/**
 * What a handler receives for one call of its layer. Channel maps give, for every position of a tensor's
 * last (channel) axis, the id of the channel atom living there; handlers only move, create and couple
 * these ids, they never look at numbers in them.
 */
export interface LayerHandlerContext extends LayerCall {
  readonly className: string;
  /** Channel map of every input tensor of this call (length = that tensor's last dimension). */
  readonly inputs: readonly ChannelMap[];
  /**
   * Creates the layer's own output channels (a producer: Conv, Dense, Embedding, ...). Calling it again in
   * a later call of a shared layer returns the same channels (same weights, same channels).
   */
  produce(count: number): ChannelMap;
  /**
   * Axis `axis` of weight `weightName` is indexed by the layer's OWN output channels in `map`
   * (kernel[..., o], bias[o]): a regularized member of filter groups, removed along with channel groups.
   * No-op when the layer has no such weight (e.g. `useBias: false`).
   */
  bindOutput(weightName: string, axis: number, map: ArrayLike<number>): void;
  /**
   * Axis `axis` of weight `weightName` reads the input channels in `map` (kernel[:, :, c, :]): regularized
   * in channel groups, removed along with filter groups. A second call of a shared layer couples the
   * channels that reach the same index.
   */
  bindInput(weightName: string, axis: number, map: ArrayLike<number>): void;
  /**
   * Axis `axis` of weight `weightName` holds one entry per channel of a pass-through layer (BatchNorm
   * gamma/beta/moving stats, depthwise kernel and bias, PReLU alpha). `regularized` says whether the entry
   * must be zero for a zeroed filter to stay zero (true for BN gamma/beta and the depthwise kernel/bias;
   * false for moving statistics, which are only removed along).
   */
  bindChannelwise(weightName: string, axis: number, map: ArrayLike<number>, regularized: boolean): void;
  /** Couples two maps position by position (they must have the same length): Add, Multiply, ... */
  couple(a: ArrayLike<number>, b: ArrayLike<number>): void;
  /**
   * Applies an activation identifier ('relu', 'sigmoid', ...) to `map` and returns the map of the result:
   * the same map for zero-preserving activations, a map marked "nonzero after zeroing" for f(0) != 0
   * (sigmoid, softplus, unknown names), and the same map with a mixing record for softmax-like ones.
   * Always return (or keep transforming) the RETURNED map.
   */
  activation(map: ChannelMap, activation: unknown): ChannelMap;
  /**
   * Returns a copy of `map` whose positions are nonzero once their group is zeroed (an op with f(0) != 0,
   * a constant offset). A group is not removable as filters when such a position is read by a consumer's
   * input binding. Return the RETURNED map.
   */
  markNonZero(map: ChannelMap, reason: string): ChannelMap;
  /**
   * Returns a copy of `map` whose positions are zero once their group is zeroed, whatever came in: use it
   * for layers whose per-channel regularized entries (bindChannelwise(..., true)) zero the channel on their
   * own (BatchNorm gamma and beta, depthwise kernel and bias). Return the RETURNED map.
   */
  clearNonZero(map: ChannelMap): ChannelMap;
  /** Records that the channels in `map` are mixed with each other (blocks every removal). */
  markMixing(map: ArrayLike<number>, reason: string): void;
  /** True when the position's value is nonzero once its group is zeroed (see markNonZero). */
  isNonZero(map: ArrayLike<number>, position: number): boolean;
  /** True when the layer owns a weight with this short name. */
  hasWeight(weightName: string): boolean;
  /** Throws an Error that names the layer, its class and `message`. */
  fail(message: string): never;
}

/** Describes a layer class to the dependency graph and to {@link countFlops}. */
export interface LayerHandler {
  /** Returns one channel map per output tensor of the call. */
  mapChannels(ctx: LayerHandlerContext): ChannelMap[];
  /** Multiply-accumulates of one call per sample (default 0). */
  macs?(call: LayerCall): number;
  /**
   * Config field that holds the number of output channels the layer produces ('filters', 'units',
   * 'outputDim'), used by rebuilders that shrink the layer. Omit for pass-through layers.
   */
  configKey?: string;
  /** Group types beyond the ones derived from the bindings (e.g. 'neurons' for Dense). */
  extraGroupTypes?: readonly GroupType[];
}
