// Public API: list every export by name.

// Host math (float64, no tfjs)
export { wgsefGradient, wgsefProx, wgsefValue } from './wgsef';
export type { WgsefProxOptions, WgsefValueOptions } from './wgsef';
export { DEFAULT_ROOT_METHOD, weightedSefProx } from './weighted-sef-prox';
export type { WeightedSefProxOptions } from './weighted-sef-prox';
export type { RootMethod } from './root-finding';
export { kSupportNorm, sefGradient, sefProx, sefValue } from './sef';
export { groupLassoNormsProx, groupLassoProx, groupLassoValue } from './group-lasso';
export type { GroupLassoOptions, GroupLassoProxOptions } from './group-lasso';
export { defaultGroupWeights, groupNorms } from './group-norms';
export { topKGroups } from './top-k';
export { selectKth } from './select';

// Tensor path (device side)
export { groupSquaredNorms, layoutGroupSizes } from './tensor/layout';
export type { TensorLayoutTerm } from './tensor/layout';
export { scaleGroups } from './tensor/scale';
export { groupLassoProxTensors, wgsefProxTensors } from './tensor/prox-tensors';
export type {
  GroupLassoProxTensorsOptions,
  TensorProxResult,
  WgsefProxTensorsOptions,
} from './tensor/prox-tensors';

// Model-level regularizers (tfjs-layers): wgsef(), groupLasso()
import './regularizer/register';
export { registerWgsefRegularizers } from './regularizer/register';
export { WgsefRegularizer, wgsef } from './regularizer/wgsef-regularizer';
export { GroupLassoRegularizer, groupLasso } from './regularizer/group-lasso-regularizer';
export { GroupRegularizer } from './regularizer/group-regularizer';
export { isGroupRegularizer } from './regularizer/protocol';
export type { FinalizeResult, KlevelRegularizer, ProxResult } from './regularizer/protocol';
export type { ModelBinding } from './regularizer/binding';
export type { PenaltyUnit } from './regularizer/penalty';
export type { GroupSparsity, SparsityStats, UnitStats } from './regularizer/stats';
export type {
  GradientMode,
  GroupRegularizerArgs,
  GroupsOption,
  GroupWeighting,
  KeepSpec,
  ScalarOrSchedule,
  WgsefOptions,
} from './regularizer/options';
export type { AutoBlockState, AutoLambdaSettings } from './regularizer/auto-lambda';
export type { SparsitySchedule } from './regularizer/sparsity-schedule';
export type { FitPlan, PlanStep, TrainingPlan } from './regularizer/training-plan';
export type { GroupLayout } from './regularizer/layout';
export type { KeepBudget } from './regularizer/budget';
export { penaltyTensor } from './regularizer/loss';
export type { LossOrMetricFn } from './regularizer/loss';
export { groupProductSums, scaleTerm } from './regularizer/device';
export { WgsefKernelRegularizer, wgsefKernelRegularizer } from './regularizer/kernel-regularizer';
export type { KernelRegularizerArgs } from './regularizer/kernel-regularizer';
