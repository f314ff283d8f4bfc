/**
 * `recalibrateBatchNorm`: recomputes the moving mean and variance of every BatchNormalization of a model from
 * sample inputs. After `finalize()` or `prune()` (or any change to the weights before a BN), the moving
 * statistics describe activations the model no longer computes; inference then normalizes with the wrong
 * numbers, and a short fine-tune (momentum 0.99 keeps 0.99^n of the stale values after n steps) does not
 * replace them. Training-mode forward passes give each BN its batch statistics; the momentum is set per batch
 * so that the moving average becomes the plain average over all samples (as PyTorch's `update_bn` does), then
 * restored. Weights other than the moving statistics are not touched; the model is changed in place.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { flattenLayers } from './topology';

type Layer = tfl.layers.Layer;

/** The BatchNormalization fields this module reads and sets (`momentum` is private in the typings). */
interface BatchNormLayer {
  name: string;
  momentum: number;
  getWeights(): tf.Tensor[];
  setWeights(weights: tf.Tensor[]): void;
}

const DEFAULT_BATCH = 128;

function fail(what: string, fix: string): never {
  throw new TypeError(`recalibrateBatchNorm: ${what}. ${fix}`);
}

function checkInputs(model: tfl.LayersModel, inputs: tf.Tensor | tf.Tensor[]): tf.Tensor[] {
  const list = Array.isArray(inputs) ? inputs : [inputs];
  const want = model.inputs.length;
  if (list.length !== want || list.some((t) => !(t instanceof tf.Tensor))) {
    fail(
      `inputs must be ${want === 1 ? 'one tensor' : `an array of ${want} tensors`} (one per model input), got ${Array.isArray(inputs) ? `an array of ${list.length}` : typeof inputs}`,
      'Pass a batch of the data the model will see, e.g. a few thousand training samples.',
    );
  }
  const n = list[0]!.shape[0] ?? 0;
  list.forEach((t, i) => {
    const shape = model.inputs[i]!.shape;
    const ok =
      t.shape.length === shape.length && shape.every((d, a) => a === 0 || d === null || d === t.shape[a]);
    if (!ok || t.shape[0] !== n || n < 2) {
      fail(
        `inputs[${i}] must have shape [n, ${shape.slice(1).join(', ')}] with the same n >= 2 for every input, got [${t.shape.join(', ')}]`,
        'Pass samples shaped like the model input, stacked along the first axis.',
      );
    }
  });
  return list;
}

function checkBatchSize(batchSize: unknown): number {
  if (batchSize === undefined) return DEFAULT_BATCH;
  if (typeof batchSize !== 'number' || !Number.isInteger(batchSize) || batchSize < 2) {
    fail(
      `options.batchSize must be an integer >= 2 (a batch variance needs two samples), got ${typeof batchSize === 'string' ? JSON.stringify(batchSize) : String(batchSize)}`,
      `Use the training batch size, or omit it (default ${DEFAULT_BATCH}).`,
    );
  }
  return batchSize;
}

function batchNormsOf(model: tfl.LayersModel): BatchNormLayer[] {
  return flattenLayers(model).filter(
    (l: Layer) => l.getClassName() === 'BatchNormalization',
  ) as unknown as BatchNormLayer[];
}

function firstNonFinite(layers: BatchNormLayer[]): string | undefined {
  return layers.find((l) => l.getWeights().some((w) => w.dataSync().some((v) => !Number.isFinite(v))))?.name;
}

/**
 * Recomputes the moving mean and variance of every BatchNormalization in `model` (nested models included) as the
 * average of its batch statistics over `inputs`, in batches of `options.batchSize` (default 128; the last batch
 * may be smaller). Training-mode forward passes, as in `fit`: Dropout is active, nothing else changes. The model
 * is updated in place; on an error (for example inputs holding NaN) its statistics are restored. Resolves to
 * the names of the layers recalibrated (none for a model without BatchNormalization).
 *
 * Use it after `finalize()` or `prune()` on a model with BatchNorm, before evaluating it or starting a short
 * fine-tune, and after a short fine-tune, before saving.
 */
export async function recalibrateBatchNorm(
  model: tfl.LayersModel,
  inputs: tf.Tensor | tf.Tensor[],
  options: { batchSize?: number } = {},
): Promise<string[]> {
  if (!model || typeof (model as { apply?: unknown }).apply !== 'function' || !Array.isArray(model.inputs)) {
    fail(
      `model must be a tfjs-layers LayersModel, got ${typeof model}`,
      'Pass the model returned by prune() or tfl.loadLayersModel().',
    );
  }
  const list = checkInputs(model, inputs);
  const batch = checkBatchSize(options.batchSize);
  const layers = batchNormsOf(model);
  if (layers.length === 0) return [];
  const saved = layers.map((l) => ({ momentum: l.momentum, weights: l.getWeights().map((w) => w.clone()) }));
  const n = list[0]!.shape[0] as number;
  try {
    for (let start = 0, size = 0; start < n; start += size) {
      size = Math.min(batch, n - start);
      if (n - start - size === 1) size += 1; // no batch of one sample (its variance is 0)
      // moving = m * moving + (1 - m) * batch with m = start / (start + size): the running average of all samples
      for (const l of layers) l.momentum = start / (start + size);
      tf.tidy(() => {
        const xs = list.map((t) => tf.slice(t, start, size));
        model.apply(xs.length === 1 ? xs[0]! : xs, { training: true });
      });
      await tf.nextFrame();
    }
    const bad = firstNonFinite(layers);
    if (bad !== undefined) {
      throw new RangeError(
        `recalibrateBatchNorm: the statistics recomputed for layer '${bad}' are not finite: the inputs hold NaN/Inf or the model's weights are not finite. The model's statistics were restored; check the inputs (and the weights) for NaN/Inf.`,
      );
    }
  } catch (e) {
    layers.forEach((l, i) => {
      l.setWeights(saved[i]!.weights);
    });
    throw e;
  } finally {
    layers.forEach((l, i) => {
      l.momentum = saved[i]!.momentum;
    });
    for (const s of saved) tf.dispose(s.weights);
  }
  return layers.map((l) => l.name);
}
