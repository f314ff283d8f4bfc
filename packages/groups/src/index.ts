// Public API of @klevel/groups: analyse a model, partition it into groups, count FLOPs, read groups back.
// Extension points (custom layer handlers and the graph's internal records) are in '@klevel/groups/extend';
// model files in Node in '@klevel/groups/node'.
export { countFlops, countParams } from './flops';
export type { FlopCount, FlopOptions, ParamCount } from './flops';
export { buildDependencyGraph } from './graph';
export type { ChannelSpace, DependencyGraph, GraphOptions, LayerInfo } from './graph-types';
export { partitionGroups } from './partition';
export type { PartitionOptions } from './partition';
export { collectLayers } from './selectors';
export type { LayerSelector } from './selectors';
export type { CustomGroup, CustomGroupFn, GroupRule, GroupSpec, GroupTypeSpec, PartitionSpec } from './spec';
export type { Group, GroupPartition, GroupType, LayoutTerm, WeightSlice } from './types';
export { isUnknownLayerError, UnknownLayerError } from './unknown-layer';
export { groupIsZero, groupNorm, groupNorms } from './zero';
