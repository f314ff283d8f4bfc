// Public API: list every export by name.
export { activationEffect } from './activations';
export type { ActivationEffect } from './activations';
export type { AtomOrigin, ChannelMap, Taint, TaintKind } from './channel-table';
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
export { partitionGroups } from './partition';
export type { PartitionOptions } from './partition';
export { getLayerHandler, registerLayerHandler, unregisterLayerHandler } from './registry';
export { collectLayers } from './selectors';
export type { LayerSelector } from './selectors';
export type { CustomGroup, CustomGroupFn, GroupRule, GroupSpec, GroupTypeSpec, PartitionSpec } from './spec';
export type { Group, GroupPartition, GroupType, LayoutTerm, WeightSlice } from './types';
export { countFlops, countParams } from './flops';
export type { FlopCount, FlopOptions, ParamCount } from './flops';
export { groupIsZero, groupNorm, sliceValues } from './zero';
export type { WeightLookup } from './zero';
