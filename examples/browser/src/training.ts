/**
 * Sparse training in the page, as in the klevel README: phase 1 is WGSEF prox-SGD (momentum SGD through
 * `model.fit`, `proxCallback(reg)` applying the prox after every batch); phase 2 recompiles with the HSPG
 * optimizer (half-space stage). Every batch is reported to the UI (loss, nonzero groups per layer, step time).
 */
import { hspg } from '@klevel/hspg';
import { type ProxCallback, proxCallback } from '@klevel/prox-callback';
import { type SparsityStats, type WgsefRegularizer, wgsef } from '@klevel/wgsef';
import { lenet5, lenet5Caffe } from '@klevel/zoo';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

export type ModelName = 'lenet5-caffe' | 'lenet5';
export type Phase = 'prox-sgd' | 'hspg';

/** What the user sets in the training form. */
export interface TrainSettings {
  model: ModelName;
  /** Fraction of the groups (filters, units) every layer keeps. */
  keep: number;
  lambda: number;
  proxEpochs: number;
  hspgEpochs: number;
  batchSize: number;
  learningRate: number;
  epsilon: number;
  /** Apply the exact-k step at the end of prox-SGD, so HSPG fine-tunes exactly k groups per layer. */
  exactKBeforeHspg: boolean;
  /** Use only the first this many training images (all 2,000 by default). */
  trainLimit: number;
  seed: number;
}

/** One batch, as the charts see it. */
export interface StepEvent {
  step: number;
  phase: Phase;
  epoch: number;
  loss: number;
  /** Nonzero groups per layer after the step. */
  nonzero: Record<string, number>;
  /** Wall time of the batch (forward, backward, update and prox), ms. */
  ms: number;
}

/** A layer's groups and its budget k. */
export interface LayerBudget {
  layer: string;
  groups: number;
  keep: number;
}

/** What a finished training run holds (the caller owns `model` and disposes it). */
export interface TrainedRun {
  model: tfl.LayersModel;
  regularizer: WgsefRegularizer;
  budgets: LayerBudget[];
  steps: StepEvent[];
  stats: SparsityStats;
  seconds: number;
  stopped: boolean;
}

/** Builds the chosen conv net, uncompiled. */
export function buildModel(name: ModelName, seed: number): tfl.Sequential {
  return name === 'lenet5' ? lenet5({ seed }) : lenet5Caffe({ seed });
}

function budgetsOf(reg: WgsefRegularizer): LayerBudget[] {
  const stats = reg.stats();
  return reg.layout.layerNames.map((layer, l) => ({
    layer,
    groups: stats.layers[layer]?.groups ?? 0,
    keep: reg.budget?.perLayer[l] ?? 0,
  }));
}

function nonzeroOf(stats: SparsityStats | undefined): Record<string, number> {
  return Object.fromEntries(Object.entries(stats?.layers ?? {}).map(([k, v]) => [k, v.nonzero]));
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)]! : Number.NaN;
}

/** Median step time of a phase in ms, skipping its first (warm-up: kernel and shader compilation) batch. */
export function medianStepMs(steps: StepEvent[], phase: Phase): number {
  return median(
    steps
      .filter((s) => s.phase === phase)
      .slice(1)
      .map((s) => s.ms),
  );
}

/** What the UI hears from a training run. */
export interface TrainingHooks {
  /** Every batch. */
  onStep: (e: StepEvent) => void;
  /** Once, when the regularizer knows the groups and budgets. */
  onBudgets?: (budgets: LayerBudget[]) => void;
}

/** Controls of a running training: `stop()` ends it after the current batch. */
export interface TrainingHandle {
  stop(): void;
  done: Promise<TrainedRun>;
}

function reporter(
  prox: ProxCallback,
  phase: Phase,
  offset: () => number,
  steps: StepEvent[],
  onStep: (e: StepEvent) => void,
): tfl.CustomCallback {
  let t0 = 0;
  let epoch = 0;
  return new tfl.CustomCallback({
    onEpochBegin: async (e) => {
      epoch = e;
    },
    onBatchBegin: async () => {
      t0 = performance.now();
    },
    onBatchEnd: async (_batch, logs) => {
      const event: StepEvent = {
        step: offset() + steps.filter((s) => s.phase === phase).length,
        phase,
        epoch,
        loss: Number(logs?.loss),
        nonzero: nonzeroOf(prox.lastStats),
        ms: performance.now() - t0,
      };
      steps.push(event);
      onStep(event);
    },
  });
}

/**
 * Starts the two-phase training on the active backend.
 *
 * @param xs - training images `[N, 28, 28, 1]` (not disposed here).
 * @param ys - one-hot labels `[N, 10]`.
 */
export function trainSparse(
  xs: tf.Tensor,
  ys: tf.Tensor,
  s: TrainSettings,
  hooks: TrainingHooks,
): TrainingHandle {
  const { onStep } = hooks;
  const model = buildModel(s.model, s.seed);
  let stopped = false;
  const done = (async (): Promise<TrainedRun> => {
    const t0 = performance.now();
    const reg = wgsef({
      groups: 'filters',
      keep: { fraction: s.keep },
      lambda: s.lambda,
      groupWeights: 'uniform',
    });
    const steps: StepEvent[] = [];
    const fitArgs = { batchSize: s.batchSize, shuffle: true, verbose: 0 as const };

    const sgd = tf.train.momentum(s.learningRate, 0.9);
    model.compile({ optimizer: sgd, loss: 'categoricalCrossentropy' });
    reg.attach(model);
    hooks.onBudgets?.(budgetsOf(reg));
    const prox1 = proxCallback(reg);
    try {
      await model.fit(xs, ys, {
        ...fitArgs,
        epochs: s.proxEpochs,
        callbacks: [prox1, reporter(prox1, 'prox-sgd', () => 0, steps, onStep)],
      });
    } finally {
      disposeOptimizer(sgd);
    }

    if (!stopped && s.hspgEpochs > 0) {
      if (s.exactKBeforeHspg) prox1.finalize();
      const firstHspg = steps.length;
      const optimizer = hspg({
        regularizer: reg,
        learningRate: s.learningRate / 2,
        momentum: 0.9,
        epsilon: s.epsilon,
      });
      model.compile({ optimizer, loss: 'categoricalCrossentropy' });
      const prox2 = proxCallback(reg); // monitors only: HSPG applies the regularizer itself
      try {
        await model.fit(xs, ys, {
          ...fitArgs,
          epochs: s.hspgEpochs,
          callbacks: [prox2, reporter(prox2, 'hspg', () => firstHspg, steps, onStep)],
        });
      } finally {
        optimizer.dispose();
      }
    }
    return {
      model,
      regularizer: reg,
      budgets: budgetsOf(reg),
      steps,
      stats: reg.stats(),
      seconds: (performance.now() - t0) / 1000,
      stopped,
    };
  })();
  done.catch(() => model.dispose());
  return {
    stop: () => {
      stopped = true;
      model.stopTraining = true;
    },
    done,
  };
}

/**
 * Disposes an optimizer the model does not own. tfjs 4.22's `MomentumOptimizer.dispose()` forgets the
 * learning-rate scalar of its SGD base class, so that one is disposed here too.
 */
export function disposeOptimizer(optimizer: tf.Optimizer): void {
  optimizer.dispose();
  const c = (optimizer as unknown as { c?: tf.Tensor }).c;
  if (c && !c.isDisposed) c.dispose();
}
