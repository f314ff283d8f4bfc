/**
 * The two training runs of the demo, with the same model, seed, data, epochs, optimizer and schedule:
 * - `trainDense`: SGD with momentum, no regularizer (the baseline);
 * - `trainSparse`: phase 1, WGSEF prox-SGD through `model.fit` with the prox callback; phase 2, the HSPG
 *   optimizer (recompiled, half-space stage); then the exact-k `finalize()`.
 */
import { hspg } from '@klevel/hspg';
import { type ProxCallback, type ProxHistoryEntry, proxCallback } from '@klevel/prox-callback';
import { type FinalizeResult, type SparsityStats, type WgsefRegularizer, wgsef } from '@klevel/wgsef';
import { type FashionMnistData, lenet5Caffe } from '@klevel/zoo';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { logNumber, ProgressCallback } from './progress';
import { cosineLearningRate, LearningRateScheduler } from './schedule';
import { withSeededMathRandom } from './seeded-random';

/** Hyperparameters shared by both runs. */
export interface TrainSettings {
  epochs: number;
  phase1Epochs: number;
  batchSize: number;
  learningRate: number;
  minLearningRate: number;
  momentum: number;
  seed: number;
  keep: number;
  lambda: number;
  /** lambda of the HSPG phase (default lambda / 20). */
  lambdaHspg: number | null;
  epsilon: number;
  groupWeights: 'uniform' | 'sqrt-size';
  /** Apply the exact-k step at the end of phase 1 too, so HSPG fine-tunes exactly k groups per layer
   *  (zero groups stay zero in its half-space stage). */
  exactKBeforeHspg: boolean;
  progress: boolean;
  log: (line: string) => void;
}

/** Per-epoch training curve. */
export interface EpochRecord {
  epoch: number;
  phase: 'dense' | 'wgsef' | 'hspg';
  loss: number;
  acc: number;
  valAcc: number | null;
  learningRate: number;
  /** Fraction of zero groups at the end of the epoch (sparse run only). */
  groupSparsity: number | null;
}

/** Tensors of one split (the caller disposes them). */
export interface SplitTensors {
  xs: tf.Tensor4D;
  ys: tf.Tensor;
}

/** What a run returns. */
export interface RunResult {
  model: tfl.LayersModel;
  curve: EpochRecord[];
  seconds: number;
}

/** What the sparse run returns on top. */
export interface SparseRunResult extends RunResult {
  regularizer: WgsefRegularizer;
  /** Per-batch group statistics from both phases' prox callbacks (steps are global). */
  history: ProxHistoryEntry[];
  /** Sparsity just before finalize. */
  beforeFinalize: SparsityStats;
  finalize: FinalizeResult;
  /** Sparsity at the end of phase 1 (before the optional exact-k step there). */
  afterPhase1: SparsityStats;
  /** The exact-k step at the end of phase 1, when `exactKBeforeHspg`. */
  phase1Finalize: FinalizeResult | undefined;
  /** Requested groups per layer (the budget k_l). */
  requested: Record<string, number>;
  /** Seconds of each phase. */
  phaseSeconds: { wgsef: number; hspg: number };
}

/** Tensors for fit (caller disposes). */
export function toSplitTensors(data: FashionMnistData): SplitTensors {
  const { xs, ys } = data.toTensors({ onehot: true });
  return { xs, ys };
}

function batchesPerEpoch(n: number, batchSize: number): number {
  return Math.ceil(n / batchSize);
}

async function curveFrom(
  history: tfl.History,
  phase: EpochRecord['phase'],
  epochOffset: number,
  lrAt: (epoch: number) => number,
  sparsity: (epoch: number) => number | null,
): Promise<EpochRecord[]> {
  const h = history.history;
  const n = (h.loss ?? []).length;
  const out: EpochRecord[] = [];
  for (let i = 0; i < n; i++) {
    const val = h.val_acc ?? h.val_accuracy;
    out.push({
      epoch: epochOffset + i + 1,
      phase,
      loss: (await logNumber(h.loss?.[i])) ?? Number.NaN,
      acc: (await logNumber((h.acc ?? h.accuracy)?.[i])) ?? Number.NaN,
      valAcc: val ? ((await logNumber(val[i])) ?? null) : null,
      learningRate: lrAt(epochOffset + i),
      groupSparsity: sparsity(i),
    });
  }
  return out;
}

/**
 * Disposes an optimizer the model does not own (`model.dispose()` leaves it). tfjs 4.22's
 * `MomentumOptimizer.dispose()` forgets the learning-rate scalar of its SGD base class; dispose it too.
 */
export function disposeOptimizer(optimizer: tf.Optimizer): void {
  optimizer.dispose();
  const c = (optimizer as unknown as { c?: tf.Tensor }).c;
  if (c && !c.isDisposed) c.dispose();
}

function momentumSgd(s: TrainSettings): tf.Optimizer {
  return tf.train.momentum(s.learningRate, s.momentum);
}

/** The dense baseline: LeNet-5-Caffe, SGD with momentum, cosine lr, no regularizer. */
export async function trainDense(
  train: SplitTensors,
  val: SplitTensors | undefined,
  s: TrainSettings,
): Promise<RunResult> {
  const t0 = performance.now();
  const model = lenet5Caffe({ seed: s.seed });
  const optimizer = momentumSgd(s);
  model.compile({ optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const n = train.xs.shape[0];
  const perEpoch = batchesPerEpoch(n, s.batchSize);
  const total = perEpoch * s.epochs;
  const lr = (step: number) => cosineLearningRate(step, total, s.learningRate, s.minLearningRate);
  const history = await withSeededMathRandom(s.seed, () =>
    model.fit(train.xs, train.ys, {
      batchSize: s.batchSize,
      epochs: s.epochs,
      shuffle: true,
      ...(val ? { validationData: [val.xs, val.ys] as [tf.Tensor, tf.Tensor] } : {}),
      callbacks: [
        new LearningRateScheduler(lr),
        new ProgressCallback({
          label: 'dense',
          batchesPerEpoch: perEpoch,
          epochs: s.epochs,
          bar: s.progress && Boolean(process.stderr.isTTY),
          write: s.log,
        }),
      ],
    }),
  ).finally(() => disposeOptimizer(optimizer));
  const curve = await curveFrom(
    history,
    'dense',
    0,
    (e) => lr(e * perEpoch),
    () => null,
  );
  return { model, curve, seconds: (performance.now() - t0) / 1000 };
}

function describeSparsity(prox: ProxCallback): () => string {
  return () => {
    const st = prox.lastStats;
    if (!st) return '';
    const layers = Object.entries(st.layers)
      .map(([name, g]) => `${name} ${g.nonzero}/${g.groups}`)
      .join(', ');
    return `nonzero groups ${layers}`;
  };
}

/**
 * The sparse run: WGSEF prox-SGD, then HSPG, then the exact-k finalize.
 * @param beforeFinalize Called with the trained model just before finalize (e.g. to measure its accuracy).
 */
export async function trainSparse(
  train: SplitTensors,
  val: SplitTensors | undefined,
  s: TrainSettings,
  beforeFinalize?: (model: tfl.LayersModel) => Promise<void>,
): Promise<SparseRunResult> {
  const t0 = performance.now();
  const model = lenet5Caffe({ seed: s.seed });
  // lambda as a closure so the HSPG phase can use its own strength (HSPG counts its steps from 0 again,
  // so a step schedule could not tell the phases apart)
  let lambdaNow = s.lambda;
  const reg = wgsef({
    groups: 'filters',
    keep: { fraction: s.keep },
    lambda: () => lambdaNow,
    groupWeights: s.groupWeights,
  });
  const sgd = momentumSgd(s);
  model.compile({ optimizer: sgd, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  reg.attach(model);
  const requested: Record<string, number> = {};
  const budget = reg.budget;
  reg.layout.layerNames.forEach((name, l) => {
    requested[name] = budget?.perLayer[l] as number;
  });
  const n = train.xs.shape[0];
  const perEpoch = batchesPerEpoch(n, s.batchSize);
  const total = perEpoch * s.epochs;
  const lr = (step: number) => cosineLearningRate(step, total, s.learningRate, s.minLearningRate);
  const validation = val ? { validationData: [val.xs, val.ys] as [tf.Tensor, tf.Tensor] } : {};
  const bar = s.progress && Boolean(process.stderr.isTTY);

  // Phase 1: WGSEF prox-SGD (SGD step on the data loss, then prox_{lr * lambda * WGSEF} after every batch).
  const prox1 = proxCallback(reg);
  const sparsity1: number[] = [];
  const h1 = await withSeededMathRandom(s.seed, () =>
    model.fit(train.xs, train.ys, {
      batchSize: s.batchSize,
      epochs: s.phase1Epochs,
      shuffle: true,
      ...validation,
      callbacks: [
        prox1,
        new LearningRateScheduler(lr),
        new ProgressCallback({
          label: 'WGSEF',
          batchesPerEpoch: perEpoch,
          epochs: s.phase1Epochs,
          totalEpochs: s.epochs,
          bar,
          write: s.log,
          describe: describeSparsity(prox1),
        }),
        new tfl.CustomCallback({
          onEpochEnd: async () => {
            sparsity1.push(prox1.lastStats?.total.sparsity ?? 0);
          },
        }),
      ],
    }),
  ).finally(() => disposeOptimizer(sgd));
  const afterPhase1 = reg.stats();
  const phase1Finalize = s.exactKBeforeHspg ? prox1.finalize() : undefined;
  const t1 = performance.now();

  // Phase 2: HSPG (recompile with the HSPG optimizer; half-space stage from its first step).
  const phase2Epochs = s.epochs - s.phase1Epochs;
  const stepOffset = perEpoch * s.phase1Epochs;
  lambdaNow = s.lambdaHspg ?? s.lambda / 20;
  const optimizer = hspg({
    regularizer: reg,
    learningRate: lr(stepOffset),
    momentum: s.momentum,
    epsilon: s.epsilon,
    switchAt: { step: 0 },
  });
  model.compile({ optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const prox2 = proxCallback(reg); // monitors only: the optimizer applies the regularizer
  const sparsity2: number[] = [];
  const h2 = await withSeededMathRandom(s.seed + 1, () =>
    model.fit(train.xs, train.ys, {
      batchSize: s.batchSize,
      epochs: phase2Epochs,
      shuffle: true,
      ...validation,
      callbacks: [
        prox2,
        new LearningRateScheduler(lr, stepOffset),
        new ProgressCallback({
          label: 'HSPG',
          batchesPerEpoch: perEpoch,
          epochs: phase2Epochs,
          epochOffset: s.phase1Epochs,
          totalEpochs: s.epochs,
          bar,
          write: s.log,
          describe: describeSparsity(prox2),
        }),
        new tfl.CustomCallback({
          onEpochEnd: async () => {
            sparsity2.push(prox2.lastStats?.total.sparsity ?? 0);
          },
        }),
      ],
    }),
  ).finally(() => disposeOptimizer(optimizer));
  const t2 = performance.now();

  if (beforeFinalize) await beforeFinalize(model);
  const statsBefore = reg.stats();
  const finalize = reg.finalize();
  const history = [
    ...prox1.history,
    ...prox2.history.map((e) => ({ ...e, step: e.step + stepOffset, epoch: e.epoch + s.phase1Epochs })),
  ];
  history.push({
    step: stepOffset + perEpoch * phase2Epochs - 1,
    epoch: s.epochs - 1,
    batch: -1,
    learningRate: undefined,
    value: reg.value(),
    nonzero: finalize.stats.total.nonzero,
    sparsity: finalize.stats.total.sparsity,
    layers: Object.fromEntries(Object.entries(finalize.stats.layers).map(([k, v]) => [k, v.nonzero])),
    finalized: true,
  });
  const curve = [
    ...(await curveFrom(
      h1,
      'wgsef',
      0,
      (e) => lr(e * perEpoch),
      (i) => sparsity1[i] ?? null,
    )),
    ...(await curveFrom(
      h2,
      'hspg',
      s.phase1Epochs,
      (e) => lr(e * perEpoch),
      (i) => sparsity2[i] ?? null,
    )),
  ];
  return {
    model,
    curve,
    seconds: (performance.now() - t0) / 1000,
    regularizer: reg,
    history,
    beforeFinalize: statsBefore,
    finalize,
    afterPhase1,
    phase1Finalize,
    requested,
    phaseSeconds: { wgsef: (t1 - t0) / 1000, hspg: (t2 - t1) / 1000 },
  };
}
