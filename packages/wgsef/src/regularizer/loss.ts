/**
 * How the regularizer shows up in `model.compile`: a loss wrapper that adds `lambda * R` in 'subgradient'
 * mode (and leaves the loss untouched in 'prox' mode), and a metric reporting `lambda * R`.
 *
 * In 'subgradient' mode the penalty is a `tf.customGrad` node over the regularized variables: its value
 * is computed from the m group norms (one download) and its gradient is `lambda * grad R`, the exact
 * gradient where R is differentiable (spec section 2) and the minimum-norm-free choice 0 on zero groups.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { groupSquaredNormsOf, scaleTerm } from './device';
import type { KlevelRegularizer } from './protocol';

/** A tfjs-layers loss or metric function. */
export type LossOrMetricFn = (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor;

const NAMED_LOSSES: Record<string, LossOrMetricFn> = {
  categoricalCrossentropy: tfl.metrics.categoricalCrossentropy,
  binaryCrossentropy: tfl.metrics.binaryCrossentropy,
  meanSquaredError: tfl.metrics.meanSquaredError,
  mse: tfl.metrics.meanSquaredError,
  meanAbsoluteError: tfl.metrics.meanAbsoluteError,
  mae: tfl.metrics.meanAbsoluteError,
  meanAbsolutePercentageError: tfl.metrics.meanAbsolutePercentageError,
  mape: tfl.metrics.meanAbsolutePercentageError,
  cosineProximity: tfl.metrics.cosineProximity,
};

function toCamel(name: string): string {
  return name.replace(/_+(\w)/g, (_m, c: string) => c.toUpperCase());
}

/** The training step a schedule should see: the attached model's optimizer iteration count, else 0. */
export function currentStep(reg: KlevelRegularizer): number {
  if (!reg.isAttached) return 0;
  const it = (reg.binding.model.optimizer as { iterations?: unknown } | undefined)?.iterations;
  return typeof it === 'number' && Number.isFinite(it) ? it : 0;
}

/**
 * `lambda_t * R(x)` as a scalar tensor whose gradient w.r.t. the regularized variables is
 * `lambda_t * grad R`. Reads the variables, so inside `fit` it is differentiated along with the loss.
 */
export function penaltyTensor(reg: KlevelRegularizer, step = currentStep(reg)): tf.Scalar {
  const vars = reg.binding.variables();
  const terms = reg.binding.terms;
  const m = reg.binding.numGroups;
  const penalty = tf.customGrad((...args: unknown[]) => {
    const xs = args.slice(0, vars.length) as tf.Tensor[];
    const norms = groupSquaredNormsOf(terms, m, xs).map(Math.sqrt);
    const value = reg.value({ norms, step });
    const factors = reg.gradientFactors(norms, step);
    return {
      value: tf.scalar(value),
      gradFunc: (dy: tf.Tensor) =>
        terms.map((term, t) => tf.mul(dy, scaleTerm(term, xs[t] as tf.Tensor, factors, 0))),
    };
  });
  return (penalty as (...xs: tf.Tensor[]) => tf.Scalar)(...vars);
}

/**
 * The loss to pass to `model.compile`. In 'prox' mode it returns `base` unchanged (a string stays a string,
 * so the model still saves with its training config); in 'subgradient' mode it returns
 * `(yTrue, yPred) => base(yTrue, yPred) + lambda_t * R(x)`.
 */
export function regularizedLoss(
  reg: KlevelRegularizer,
  base: string | LossOrMetricFn,
): string | LossOrMetricFn {
  const fn = `${reg.name}.loss`;
  let baseFn: LossOrMetricFn;
  if (typeof base === 'string') {
    const found = NAMED_LOSSES[toCamel(base)];
    if (reg.options.gradient === 'prox') return base;
    if (!found) {
      throw new TypeError(
        `${fn}: unknown loss name '${base}'; known names: ${Object.keys(NAMED_LOSSES).join(', ')}. Pass a loss function (yTrue, yPred) => Tensor instead.`,
      );
    }
    baseFn = found;
  } else if (typeof base === 'function') {
    if (reg.options.gradient === 'prox') return base;
    baseFn = base;
  } else {
    throw new TypeError(
      `${fn}: expected a loss name or a function (yTrue, yPred) => Tensor, got ${typeof base}.`,
    );
  }
  const wrapped = (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.add(baseFn(yTrue, yPred), penaltyTensor(reg));
  Object.defineProperty(wrapped, 'name', { value: `${reg.name}Regularized` });
  return wrapped;
}

/**
 * A metric reporting `lambda_t * R(x)` under the key `reg.name` ('wgsef' or 'group_lasso') in the logs.
 * Costs nothing after a prox (the binding remembers the norms of the weights it wrote); otherwise one
 * download of m norms.
 * Note: tfjs cannot reload a model saved with a custom metric in its training config (see README).
 */
export function regularizerMetric(reg: KlevelRegularizer): LossOrMetricFn {
  const metric = (_yTrue: tf.Tensor, _yPred: tf.Tensor) => {
    return tf.scalar(reg.value({ step: currentStep(reg) }));
  };
  Object.defineProperty(metric, 'name', { value: reg.name });
  return metric;
}
