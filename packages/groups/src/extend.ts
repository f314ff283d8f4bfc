// Extension points of @klevel/groups (@klevel/groups/extend): teach the dependency graph a custom layer class
// (registerLayerHandler), and the graph's per-layer records a handler reads and writes.
export type { ActivationEffect } from './activations';
export { activationEffect } from './activations';
export { silencedBy } from './batchnorm-scales';
export { passThroughHandler } from './builtin-handlers';
export type { AtomOrigin, ChannelMap, Taint, TaintKind } from './channel-table';
export { assertFiniteWeights } from './finite';
export type { AxisBinding, BindingRole, ChannelInfo, WeightInfo } from './graph-types';
export type { LayerCall, LayerHandler, LayerHandlerContext, Shape } from './handler-types';
export { getLayerHandler, registerLayerHandler, unregisterLayerHandler } from './registry';
export { adviseUnknownLayer } from './unknown-layer';
export type { WeightLookup } from './zero';
export { sliceValues } from './zero';
