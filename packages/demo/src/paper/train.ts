/**
 * Thin tfjs adapters of the paper experiment: build/copy a reference model, train it for given epochs
 * with a seeded data order and a per-epoch learning rate, evaluate it, and count its size.
 */
import { countFlops, countParams } from '@klevel/groups';
import { gatherSafe } from '@klevel/wasm-train';
import { shuffledIndices } from '@klevel/zoo';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { accuracy } from '../evaluate';
import { loadCheckpoint, saveCheckpoint } from './checkpoint';

/** Images and one-hot labels on the device. */
export interface TensorData {
  xs: tf.Tensor;
  ys: tf.Tensor;
  count: number;
}

/** Sets the step size of a tfjs SGD/momentum optimizer or of a klevel HSPG optimizer. */
export function setLearningRate(optimizer: tf.Optimizer, lr: number): void {
  const o = optimizer as unknown as { setLearningRate?: (lr: number) => void; learningRate?: number };
  if (typeof o.setLearningRate === 'function') o.setLearningRate(lr);
  else if (typeof o.learningRate === 'number') o.learningRate = lr;
  else {
    throw new TypeError(
      'setLearningRate: the optimizer has neither setLearningRate() nor a numeric learningRate; use tf.train.momentum or @klevel/hspg.',
    );
  }
}

/** The data order of global epoch `epoch` for `seed`: the same for every method. */
export function epochOrder(count: number, seed: number, epoch: number): Int32Array {
  return shuffledIndices(count, seed * 7919 + epoch * 104729 + 17);
}

/** What {@link trainEpochs} reports after each epoch. */
export interface EpochLog {
  epoch: number;
  lr: number;
  loss: number;
  acc: number;
  groupSparsity: number | undefined;
  seconds: number;
  /** Replayed from a checkpoint, not trained in this process. */
  resumed?: boolean;
}

/** Options of {@link trainEpochs}. */
export interface TrainEpochsOptions {
  /** Global epoch numbers to run (they pick the seeded data order). */
  epochs: number[];
  /** Learning rate of a global epoch. */
  lrOf: (epoch: number) => number;
  seed: number;
  batchSize: number;
  callbacks?: tfl.Callback[];
  onEpoch?: (log: EpochLog) => void;
  /** Directory of this stage's per-epoch checkpoint: resume from it, save to it after every epoch. */
  checkpoint?: string;
}

/**
 * Compiles `model` with `optimizer` (categorical cross-entropy, accuracy) and trains it one `fit` epoch per
 * entry of `options.epochs`, each on the seeded permutation of the data, with the epoch's learning rate.
 * @returns wall-clock seconds spent.
 */
export async function trainEpochs(
  model: tfl.LayersModel,
  optimizer: tf.Optimizer,
  data: TensorData,
  options: TrainEpochsOptions,
): Promise<number> {
  model.compile({ optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const start = performance.now();
  const logs: EpochLog[] = [];
  const resumed = options.checkpoint
    ? await loadCheckpoint<EpochLog>(options.checkpoint, model, optimizer)
    : undefined;
  if (resumed) {
    logs.push(...resumed.logs);
    for (const l of resumed.logs) options.onEpoch?.({ ...l, resumed: true });
  }
  for (const epoch of options.epochs.slice(resumed?.epochsDone ?? 0)) {
    const lr = options.lrOf(epoch);
    setLearningRate(optimizer, lr);
    const t0 = performance.now();
    const order = tf.tensor1d(epochOrder(data.count, options.seed, epoch), 'int32');
    const xs = gatherSafe(data.xs, order, 0);
    const ys = gatherSafe(data.ys, order, 0);
    order.dispose();
    try {
      const h = await model.fit(xs, ys, {
        batchSize: options.batchSize,
        epochs: 1,
        shuffle: false,
        verbose: 0,
        callbacks: options.callbacks ?? [],
      });
      const last = (key: string): number | undefined => {
        const v = h.history[key]?.at(-1);
        return typeof v === 'number' ? v : undefined;
      };
      const log: EpochLog = {
        epoch,
        lr,
        loss: last('loss') ?? Number.NaN,
        acc: last('acc') ?? last('accuracy') ?? Number.NaN,
        groupSparsity: last('group_sparsity'),
        seconds: (performance.now() - t0) / 1000,
      };
      logs.push(log);
      if (options.checkpoint) {
        await saveCheckpoint(options.checkpoint, model, optimizer, { epochsDone: logs.length, logs });
      }
      options.onEpoch?.(log);
    } finally {
      tf.dispose([xs, ys]);
    }
  }
  return (performance.now() - start) / 1000;
}

/** Top-1 accuracy of `model` on `data` (predictions in batches; the model need not be compiled). */
export async function evaluateAccuracy(model: tfl.LayersModel, data: TensorData): Promise<number> {
  const labels = tf.tidy(() => tf.argMax(data.ys, -1));
  const truth = await labels.data();
  labels.dispose();
  return accuracy(model, data.xs as tf.Tensor4D, truth);
}

/** Parameters and multiply-accumulates per sample. */
export function modelSize(model: tfl.LayersModel): { params: number; macs: number } {
  return { params: countParams(model).total, macs: countFlops(model).total };
}
