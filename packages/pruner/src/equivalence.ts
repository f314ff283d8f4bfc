/**
 * Output equivalence of two models: run both on the same inputs (seeded random inputs matching the
 * model's input shapes, plus optional user samples) and measure the largest relative difference.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

/** Options of {@link compareModels}. */
export interface CompareOptions {
  /** Number of random samples per check. Defaults to 4. */
  batchSize?: number;
  /** Size used for unknown (null) non-batch dimensions of the inputs. Defaults to 8. */
  unknownDimSize?: number;
  /** Seed of the random inputs. Defaults to 1. */
  seed?: number;
  /** Extra inputs to compare on (one tensor per model input, or an array for multi-input models). */
  samples?: tf.Tensor | tf.Tensor[];
}

/** What {@link compareModels} measured. */
export interface EquivalenceResult {
  /** Largest over outputs of max|a - b| / (max|b| + 1e-12), b being the original model's output. */
  maxRelativeDifference: number;
  /** Largest |a - b| over all outputs. */
  maxAbsoluteDifference: number;
  /** Number of samples compared (random + user). */
  samples: number;
}

/** The Embedding layer that reads a model input, if any (its inputs must be integer ids). */
function embeddingInputDim(model: tfl.LayersModel, inputIndex: number): number | undefined {
  const inputLayer = model.inputLayers[inputIndex];
  for (const node of inputLayer?.outboundNodes ?? []) {
    const layer = node.outboundLayer;
    if (layer.getClassName() === 'Embedding') {
      return (layer.getConfig() as { inputDim?: number }).inputDim;
    }
  }
  return undefined;
}

/**
 * Seeded random inputs matching every input of `model` (standard normal; integer ids in [0, inputDim) for
 * inputs read by an Embedding). The caller owns the returned tensors.
 *
 * @param model The model whose `inputs` give the shapes.
 * @param options `batchSize` (default 4), `unknownDimSize` (default 8), `seed` (default 1).
 * @example
 * const xs = randomInputs(model, { batchSize: 2 });
 */
export function randomInputs(model: tfl.LayersModel, options: CompareOptions = {}): tf.Tensor[] {
  const batch = options.batchSize ?? 4;
  const unknown = options.unknownDimSize ?? 8;
  const seed = options.seed ?? 1;
  return model.inputs.map((input, i) =>
    tf.tidy(() => {
      const shape = input.shape.map((d, k) => (k === 0 ? (d ?? batch) : (d ?? unknown)));
      const dtype = input.dtype === 'int32' ? 'int32' : 'float32';
      const vocab = embeddingInputDim(model, i);
      if (vocab !== undefined) {
        return tf.cast(tf.floor(tf.randomUniform(shape, 0, vocab - 1e-3, 'float32', seed + i)), dtype);
      }
      return tf.cast(tf.randomNormal(shape, 0, 1, 'float32', seed + i), dtype);
    }),
  );
}

function asList(x: tf.Tensor | tf.Tensor[]): tf.Tensor[] {
  return Array.isArray(x) ? x : [x];
}

function measure(a: tfl.LayersModel, b: tfl.LayersModel, xs: tf.Tensor[]): { rel: number; abs: number } {
  const outA = asList(a.predict(xs.length === 1 ? (xs[0] as tf.Tensor) : xs) as tf.Tensor | tf.Tensor[]);
  const outB = asList(b.predict(xs.length === 1 ? (xs[0] as tf.Tensor) : xs) as tf.Tensor | tf.Tensor[]);
  try {
    if (outA.length !== outB.length) {
      throw new Error(`compareModels: the models have ${outA.length} and ${outB.length} outputs.`);
    }
    let rel = 0;
    let abs = 0;
    for (let i = 0; i < outA.length; i++) {
      const pa = outA[i] as tf.Tensor;
      const pb = outB[i] as tf.Tensor;
      if (!tf.util.arraysEqual(pa.shape, pb.shape)) {
        throw new Error(`compareModels: output ${i} has shape [${pa.shape}] vs [${pb.shape}].`);
      }
      const da = pa.dataSync();
      const db = pb.dataSync();
      let maxAbsB = 0;
      let maxDiff = 0;
      for (let k = 0; k < da.length; k++) {
        const d = Math.abs((da[k] as number) - (db[k] as number));
        maxDiff = Number.isNaN(d) ? Number.POSITIVE_INFINITY : Math.max(maxDiff, d);
        maxAbsB = Math.max(maxAbsB, Math.abs(db[k] as number));
      }
      abs = Math.max(abs, maxDiff);
      rel = Math.max(rel, maxDiff / (maxAbsB + 1e-12));
    }
    return { rel, abs };
  } finally {
    tf.dispose(outA);
    tf.dispose(outB);
  }
}

/**
 * Runs `candidate` and `reference` on the same inputs and reports how far apart their outputs are.
 * Nothing is modified; every temporary tensor is disposed.
 *
 * @param candidate E.g. the pruned model.
 * @param reference E.g. the original (sparse) model; relative differences are taken against its outputs.
 * @param options Batch size, seed, unknown dimension size and optional user samples.
 * @example
 * const { maxRelativeDifference } = compareModels(small, model);
 */
export function compareModels(
  candidate: tfl.LayersModel,
  reference: tfl.LayersModel,
  options: CompareOptions = {},
): EquivalenceResult {
  const xs = randomInputs(reference, options);
  let samples = xs[0]?.shape[0] ?? 0;
  let result: { rel: number; abs: number };
  try {
    result = measure(candidate, reference, xs);
  } finally {
    tf.dispose(xs);
  }
  if (options.samples !== undefined) {
    const user = asList(options.samples);
    if (user.length !== reference.inputs.length) {
      throw new TypeError(
        `compareModels: 'samples' must hold one tensor per model input (${reference.inputs.length}), got ${user.length}.`,
      );
    }
    const r = measure(candidate, reference, user);
    result = { rel: Math.max(result.rel, r.rel), abs: Math.max(result.abs, r.abs) };
    samples += user[0]?.shape[0] ?? 0;
  }
  return { maxRelativeDifference: result.rel, maxAbsoluteDifference: result.abs, samples };
}

/** How {@link prune} checks that the pruned model computes the same function. */
export interface EquivalenceCheckOptions {
  /** Largest accepted max|pruned - original| / max|original| over all outputs. Defaults to 1e-4. */
  tolerance?: number;
  /** Random samples per check. Defaults to 4. */
  batchSize?: number;
  /** Size of unknown (null) non-batch input dimensions. Defaults to 8. */
  unknownDimSize?: number;
  /** Seed of the random inputs. Defaults to 1. */
  seed?: number;
  /** Extra inputs to compare on (one tensor per model input). */
  samples?: tf.Tensor | tf.Tensor[];
}
