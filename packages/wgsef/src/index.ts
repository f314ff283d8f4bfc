// Public API of @klevel/wgsef: the model-level regularizers and the host prox a user calls. The rest of the
// exact math (SEF, root finding, selection, the device-side tensor prox) is in '@klevel/wgsef/math'; the
// protocol between a regularizer and the prox callback / HSPG in '@klevel/wgsef/extend'; registering the
// classes for deserialization (loading a saved model before any regularizer is built) in
// '@klevel/wgsef/register'. No module of this entry has a side effect at import.

// Model-level regularizers (tfjs-layers): wgsef(), groupLasso(), per-layer kernel regularizer
export { GroupLassoRegularizer, groupLasso } from './regularizer/group-lasso-regularizer';
export { GroupRegularizer } from './regularizer/group-regularizer';
export { WgsefKernelRegularizer, wgsefKernelRegularizer } from './regularizer/kernel-regularizer';
export type { KernelRegularizerArgs } from './regularizer/kernel-regularizer';
export type {
  GradientMode,
  GroupRegularizerArgs,
  GroupsOption,
  GroupWeighting,
  KeepSpec,
  WgsefOptions,
} from './regularizer/options';
export type { ScalarOrSchedule } from './regularizer/scalar-or-schedule';
export type { AutoLambdaSettings } from './regularizer/auto-lambda';
export { isGroupRegularizer } from './regularizer/protocol';
export type { FinalizeResult, ProxResult } from './regularizer/protocol';
export type { SparsitySchedule } from './regularizer/sparsity-schedule';
export type { GroupSparsity, SparsityStats } from './regularizer/stats';
export { WgsefRegularizer, wgsef } from './regularizer/wgsef-regularizer';

// Host math (float64, no tfjs)
export { topKGroups } from './top-k';
export { wgsefGradient, wgsefProx, wgsefValue } from './wgsef';
export type { WgsefProxOptions, WgsefValueOptions } from './wgsef';
