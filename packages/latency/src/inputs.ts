/** Input shapes (inferred from the model or given) and the random input batches the benchmark feeds. */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

/**
 * The per-sample input shapes of `model` (batch dimension dropped), filling unknown dims from `override`.
 *
 * @param model - a layers model.
 * @param override - shape without the batch dim, for single-input models; must match every known dim.
 * @throws Error when a dim is unknown and no override is given, or the override disagrees with the model.
 * @example
 * inferInputShapes(lenet); // [[28, 28, 1]]
 */
export function inferInputShapes(model: tfl.LayersModel, name: string, override?: number[]): number[][] {
  const shapes = model.inputs.map((input) => input.shape.slice(1));
  if (override !== undefined) {
    if (!Array.isArray(override) || override.some((d) => !Number.isInteger(d) || d < 1)) {
      throw new RangeError(
        `benchmarkLatency: options.inputShape must be positive integers, received [${String(override)}]`,
      );
    }
    if (shapes.length !== 1) {
      throw new Error(
        `benchmarkLatency: options.inputShape applies to single-input models, but model '${name}' has ` +
          `${shapes.length} inputs; drop inputShape (their shapes are inferred) or benchmark it separately`,
      );
    }
    const known = shapes[0]!;
    if (known.length !== override.length || known.some((d, i) => d != null && d !== override[i])) {
      throw new Error(
        `benchmarkLatency: options.inputShape [${override.join(', ')}] does not match model '${name}' input ` +
          `shape [${known.map((d) => d ?? '?').join(', ')}] (batch dimension excluded)`,
      );
    }
    return [override.slice()];
  }
  return shapes.map((shape, i) => {
    if (shape.some((d) => d == null)) {
      throw new Error(
        `benchmarkLatency: model '${name}' input ${i} has unknown dims [${shape.map((d) => d ?? '?').join(', ')}]; ` +
          'pass options.inputShape (per sample, without the batch dimension), e.g. --input-shape 28,28,1',
      );
    }
    return shape as number[];
  });
}

/** Random uniform [0, 1) input tensors for one batch; the caller disposes them. */
export function makeInputs(shapes: number[][], batchSize: number, seed: number): tf.Tensor[] {
  return shapes.map((shape, i) => tf.randomUniform([batchSize, ...shape], 0, 1, 'float32', seed + i));
}
