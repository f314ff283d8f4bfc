// Public API: list every export by name.

export type { ActivationEffect } from './activations';
export { activationEffect } from './activations';
export { passThroughHandler } from './builtin-handlers';
export type { AtomOrigin, ChannelMap, Taint, TaintKind } from './channel-table';
export type { FlopCount, FlopOptions, ParamCount } from './flops';
export { assertFiniteWeights } from './finite';
export { countFlops, countParams } from './flops';
export { buildDependencyGraph } from './graph';
export type {
  AxisBinding,
  BindingRole,
  ChannelInfo,
  ChannelSpace,
  DependencyGraph,
  GraphOptions,
  LayerInfo,
  WeightInfo,
} from './graph-types';
export type { LayerCall, LayerHandler, LayerHandlerContext, Shape } from './handler-types';
export type { PartitionOptions } from './partition';
export { partitionGroups } from './partition';
export { getLayerHandler, registerLayerHandler, unregisterLayerHandler } from './registry';
export type { LayerSelector } from './selectors';
export { collectLayers } from './selectors';
export type { CustomGroup, CustomGroupFn, GroupRule, GroupSpec, GroupTypeSpec, PartitionSpec } from './spec';
export type { Group, GroupPartition, GroupType, LayoutTerm, WeightSlice } from './types';
export { adviseUnknownLayer, isUnknownLayerError, UnknownLayerError } from './unknown-layer';
export type { WeightLookup } from './zero';
export { groupIsZero, groupNorm, groupNorms, sliceValues } from './zero';
