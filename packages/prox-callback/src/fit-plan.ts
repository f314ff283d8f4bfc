/**
 * What `model.fit` tells its callbacks about the training budget (`callback.params`: epochs, initialEpoch,
 * samples or steps, batchSize), turned into the step budget a regularizer's training plan needs
 * (`lambda: 'auto'`, a polynomial sparsity schedule).
 */

/** The step budget of one fit. */
export interface FitBudget {
  /** Steps this fit will take (epochs still to run x steps per epoch), when known. */
  totalSteps?: number;
  /** Steps per epoch, when known. */
  stepsPerEpoch?: number;
  /** The global step this fit starts from (the optimizer's iteration count). */
  startStep: number;
}

const positive = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x) && x > 0;

/**
 * The step budget from a callback's `params` (`model.fit`: samples and batchSize; `fitDataset`: steps =
 * batchesPerEpoch) and the optimizer's iteration count at train begin.
 * @example fitBudget({ epochs: 3, samples: 1000, batchSize: 100 }, 0) // { totalSteps: 30, stepsPerEpoch: 10, startStep: 0 }
 */
export function fitBudget(params: Record<string, unknown> | undefined, startStep = 0): FitBudget {
  const p = params ?? {};
  let stepsPerEpoch: number | undefined;
  if (positive(p.steps)) stepsPerEpoch = Math.round(p.steps);
  else if (positive(p.samples) && positive(p.batchSize)) stepsPerEpoch = Math.ceil(p.samples / p.batchSize);
  const initial = typeof p.initialEpoch === 'number' && p.initialEpoch > 0 ? p.initialEpoch : 0;
  const epochs = positive(p.epochs) ? p.epochs - initial : undefined;
  const out: FitBudget = { startStep };
  if (stepsPerEpoch !== undefined) out.stepsPerEpoch = stepsPerEpoch;
  if (stepsPerEpoch !== undefined && epochs !== undefined && epochs > 0)
    out.totalSteps = epochs * stepsPerEpoch;
  return out;
}
