/** Disposing the models a benchmark loaded itself (from paths). */
import type * as tfl from '@tensorflow/tfjs-layers';

/**
 * Disposes a model this package loaded, with the optimizer state tfjs restored from a checkpoint saved with
 * `includeOptimizer` (tfjs builds that optimizer from the training config and marks it as not owned by the
 * model, so `model.dispose()` alone leaves its moments and iteration counter allocated).
 */
export function disposeLoadedModel(model: tfl.LayersModel): void {
  const optimizer = (model as { optimizer?: { dispose(): void } | null }).optimizer;
  const owned = (model as unknown as { isOptimizerOwned?: boolean }).isOptimizerOwned === true;
  model.dispose();
  if (optimizer != null && !owned) optimizer.dispose();
}
