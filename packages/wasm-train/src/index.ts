// Public API: list every export by name.
export { gatherSafe } from './gather_safe';
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
} from './training_kernels';
export type {
  RegisterTrainingKernelsOptions,
  TrainingBackend,
  TrainingKernelsReport,
} from './training_kernels';
export { locateWasmBinaries, useBestBackend } from './use_best_backend';
export type { BestBackend, BestBackendName, UseBestBackendOptions } from './use_best_backend';
