// Public API: list every export by name.
export { gatherSafe } from './gather-safe';
export {
  COMPOSED_KERNELS,
  checkComposedKernels,
  checkTfjsCoreVersion,
  SUPPORTED_TFJS_CORE_RANGE,
} from './guards';
export {
  isTrainingKernelsRegistered,
  registerTrainingKernels,
  trainingKernelNames,
  unregisterTrainingKernels,
} from './training-kernels';
export type {
  RegisterTrainingKernelsOptions,
  TrainingBackend,
  TrainingKernelsReport,
} from './training-kernels';
export { BEST_BACKEND_ORDER, useBestBackend } from './use-best-backend';
export type { BestBackend, BestBackendName, UseBestBackendOptions } from './use-best-backend';
