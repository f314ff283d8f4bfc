// Extension points of @klevel/pruner (@klevel/pruner/extend): surgery handlers that rebuild custom layer
// classes with fewer channels, the helpers they use, and the pieces prune() is assembled from.
export { gatherKept } from './apply';
export { buildReport } from './report';
export { weightedNorm } from './select-groups';
export { passThroughClasses } from './surgery/builtin';
export type { SurgeryContext, SurgeryHandler } from './surgery/handler';
export { channelHandler, checkTied, keptAlong } from './surgery/helpers';
export {
  getSurgeryHandler,
  registerSurgeryHandler,
  supportedLayerClasses,
  unregisterSurgeryHandler,
} from './surgery/registry';
