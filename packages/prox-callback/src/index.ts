// Public API: list every export by name.
export { ProxCallback, proxCallback } from './prox-callback';
export type { ProxCallbackArgs, ProxHistoryEntry } from './prox-callback';
export { optimizerLearningRate, resolveLearningRate } from './learning-rate';
export type { LearningRateOption } from './learning-rate';
