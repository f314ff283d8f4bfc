// Public API: list every export by name.

export { optimizerLearningRate, resolveLearningRate } from './learning-rate';
export type { LearningRateSchedule, LearningRateSchedulerOptions } from './learning-rate-schedule';
export {
  cosineDecay,
  LearningRateScheduler,
  learningRateScheduler,
  stepDecay,
} from './learning-rate-schedule';
export type { ProxCallbackArgs, ProxHistoryEntry } from './prox-callback';
export { ProxCallback, proxCallback } from './prox-callback';
