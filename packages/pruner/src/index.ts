// Public API of @klevel/pruner: plan, apply, check, report, fold and recalibrate BatchNorm. Surgery handlers for custom layer
// classes are in '@klevel/pruner/extend'; saving and loading models in Node in '@klevel/pruner/node'.
export { type ApplyPlanOptions, applyPlan } from './apply';
export {
  type CompareOptions,
  compareModels,
  type EquivalenceCheckOptions,
  type EquivalenceResult,
  randomInputs,
} from './equivalence';
export {
  type FoldBatchNormOptions,
  type FoldBatchNormResult,
  foldBatchNorm,
  type UnfoldedBatchNorm,
} from './fold-batch-norm';
export type { GroupStats } from './group-stats';
export type { PartitionSpec } from './groups-adapter';
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
export { recalibrateBatchNorm } from './recalibrate-batch-norm';
export { formatReport, type LayerReport, type PruningReport } from './report';
export type { SelectionOptions } from './select-groups';
