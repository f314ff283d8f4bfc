// The regularizer protocol of @klevel/wgsef (@klevel/wgsef/extend): what @klevel/prox-callback and
// @klevel/hspg call on a regularizer, and the pieces to build another group regularizer on it.
export type { AutoBlockState } from './regularizer/auto-lambda';
export type { ModelBinding } from './regularizer/binding';
export type { KeepBudget } from './regularizer/budget';
export { groupProductSums, scaleTerm } from './regularizer/device';
export type { GroupLayout } from './regularizer/layout';
export { penaltyTensor } from './regularizer/loss';
export type { LossOrMetricFn } from './regularizer/loss';
export type { PenaltyUnit } from './regularizer/penalty';
export type { KlevelRegularizer } from './regularizer/protocol';
export { checkScalarOrSchedule, valueAt } from './regularizer/scalar-or-schedule';
export type { ScalarBound } from './regularizer/scalar-or-schedule';
export type { UnitStats } from './regularizer/stats';
export { registerKlevelClass } from './regularizer/serializable';
export type { FitPlan, PlanStep, TrainingPlan } from './regularizer/training-plan';
