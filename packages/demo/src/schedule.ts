/**
 * The learning-rate schedule of the demo: cosine annealing over all steps of a run (both phases share one
 * schedule), as in the paper's runs, and a tfjs-layers callback that applies it before every batch.
 */
import * as tfl from '@tensorflow/tfjs-layers';

/**
 * Cosine annealing: `min + (max - min) * (1 + cos(pi * step / total)) / 2`; `max` at step 0, `min` at
 * `total` and after.
 * @example cosineLearningRate(0, 100, 0.05, 0.001) // 0.05
 */
export function cosineLearningRate(step: number, totalSteps: number, max: number, min: number): number {
  if (!(totalSteps > 0))
    throw new RangeError(`cosineLearningRate: totalSteps must be > 0, got ${totalSteps}.`);
  const t = Math.min(Math.max(step / totalSteps, 0), 1);
  return min + ((max - min) * (1 + Math.cos(Math.PI * t))) / 2;
}

/** An optimizer whose step size can be changed between batches. */
interface TunableOptimizer {
  learningRate: number;
  setLearningRate?(lr: number): void;
}

/**
 * A `tfl.Callback` that sets the model optimizer's learning rate before each batch from a schedule of the
 * global step (`stepOffset` + batches seen by this callback). Works for SGD/momentum (`setLearningRate`) and
 * for optimizers with a plain `learningRate` field (HSPG).
 */
export class LearningRateScheduler extends tfl.Callback {
  /** Steps taken through this callback. */
  steps = 0;
  /** The last learning rate set. */
  current = Number.NaN;

  constructor(
    private readonly schedule: (step: number) => number,
    private readonly stepOffset = 0,
  ) {
    super();
  }

  override async onBatchBegin(): Promise<void> {
    const opt = this.model?.optimizer as unknown as TunableOptimizer | undefined;
    if (!opt)
      throw new Error(
        'LearningRateScheduler: the callback has no model; pass it as a tfl.Callback instance.',
      );
    const lr = this.schedule(this.stepOffset + this.steps);
    if (typeof opt.setLearningRate === 'function') opt.setLearningRate(lr);
    else opt.learningRate = lr;
    this.current = lr;
  }

  override async onBatchEnd(): Promise<void> {
    this.steps++;
  }
}
