// Public API: list every export by name.
export { type ApplyPlanOptions, applyPlan, gatherKept } from './apply';
export {
  type CompareOptions,
  compareModels,
  type EquivalenceCheckOptions,
  type EquivalenceResult,
  randomInputs,
} from './equivalence';
export { type PlanPruningOptions, planPruning } from './plan';
export type {
  AxisPlan,
  GroupDecisionReason,
  LayerPlan,
  PlannedGroup,
  PruningPlan,
  WeightPlan,
} from './plan-types';
export { PLAN_FORMAT } from './plan-types';
export { type PruneOptions, type PruneResult, prune } from './prune';
export { buildReport, formatReport, type LayerReport, type PruningReport } from './report';
export type { GroupStats } from './group-stats';
export {
  type FoldBatchNormOptions,
  type FoldBatchNormResult,
  foldBatchNorm,
  type UnfoldedBatchNorm,
} from './fold-batch-norm';
export type { PartitionSpec } from './groups-adapter';
export { type SelectionOptions, weightedNorm } from './select-groups';
export { passThroughClasses } from './surgery/builtin';
export type { SurgeryContext, SurgeryHandler } from './surgery/handler';
export { channelHandler, checkTied, keptAlong } from './surgery/helpers';
export {
  getSurgeryHandler,
  registerSurgeryHandler,
  supportedLayerClasses,
  unregisterSurgeryHandler,
} from './surgery/registry';
