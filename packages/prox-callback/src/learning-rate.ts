/**
 * Where the prox callback gets lr_t: a user value or schedule, else the model optimizer's current
 * `learningRate` (read every batch, so a schedule that edits `optimizer.learningRate` is followed).
 */
import type { ScalarOrSchedule } from '@klevel/wgsef';
import { valueAt } from '@klevel/wgsef/extend';
import type * as tf from '@tensorflow/tfjs-core';

/** The optimizer's current learning rate, or undefined if it has no numeric `learningRate`. */
export function optimizerLearningRate(optimizer: tf.Optimizer | undefined): number | undefined {
  const lr = (optimizer as { learningRate?: unknown } | undefined)?.learningRate;
  return typeof lr === 'number' && Number.isFinite(lr) ? lr : undefined;
}

/** The optimizer's iteration counter (steps applied so far), or undefined. */
export function optimizerIterations(optimizer: tf.Optimizer | undefined): number | undefined {
  const it = (optimizer as { iterations?: unknown } | undefined)?.iterations;
  return typeof it === 'number' && Number.isFinite(it) ? it : undefined;
}

/**
 * Resolves lr_t at `step`: the `learningRate` option (a number checked when given, or a schedule checked
 * here), else the optimizer's. Throws a RangeError naming the source when it is not a finite number >= 0.
 */
export function resolveLearningRate(
  option: ScalarOrSchedule | undefined,
  optimizer: tf.Optimizer | undefined,
  step: number,
): number {
  if (option !== undefined) return valueAt('proxCallback', 'learningRate', option, step);
  const lr = optimizerLearningRate(optimizer);
  const source = `the optimizer (${optimizer?.getClassName?.() ?? 'none'})`;
  if (lr === undefined) {
    throw new Error(
      `proxCallback: cannot read the learning rate of ${source}: it has no numeric 'learningRate' property. Pass proxCallback(reg, { learningRate }) (a number or (step) => number).`,
    );
  }
  if (lr < 0) {
    throw new RangeError(
      `proxCallback: ${source} gave learning rate ${lr} at step ${step}; expected a finite number >= 0.`,
    );
  }
  return lr;
}
