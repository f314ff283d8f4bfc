/**
 * The demo's three training stages, each one `model.fit` with a per-batch learning-rate schedule
 * (`learningRateScheduler` of @klevel/prox-callback), seeded shuffles and a progress callback:
 * - {@link trainDense}: the baseline, momentum SGD with cosine decay over all its epochs;
 * - {@link trainSparse}: WGSEF prox-SGD then HSPG's half-space stage in ONE optimizer (`hspg({ switchAt })`
 *   switches the phase), then the exact-k `finalize()`;
 * - {@link fineTune}: the pruned model, momentum SGD with its own cosine decay.
 * Dense epochs = prox + HSPG + fine-tune epochs, so both sides train for the same number of epochs.
 */
import { hspg } from '@klevel/hspg';
import {
  cosineDecay,
  learningRateScheduler,
  type ProxHistoryEntry,
  proxCallback,
} from '@klevel/prox-callback';
import { type FinalizeResult, type SparsityStats, type WgsefRegularizer, wgsef } from '@klevel/wgsef';
import { type FashionMnistData, lenet5Caffe } from '@klevel/zoo';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { DemoOptions } from './options';
import { logNumber, ProgressCallback } from './progress';
import { type LambdaTrace, lambdaTrace } from './lambda-trace';
import { withSeededMathRandom } from './seeded-random';

/** Per-epoch training curve. */
export interface EpochRecord {
  epoch: number;
  phase: 'dense' | 'wgsef' | 'hspg' | 'finetune';
  loss: number;
  acc: number;
  valAcc: number | null;
  /** Fraction of zero groups at the end of the epoch (sparse run only). */
  groupSparsity: number | null;
}

/** Tensors of one split (the caller disposes them). */
export interface SplitTensors {
  xs: tf.Tensor4D;
  ys: tf.Tensor;
}

/** What the training stages need: the splits, the options and where lines go. */
export interface TrainContext {
  train: SplitTensors;
  val: SplitTensors | undefined;
  o: DemoOptions;
  log: (line: string) => void;
}

/** Tensors for fit (caller disposes). */
export function toSplitTensors(data: FashionMnistData): SplitTensors {
  const { xs, ys } = data.toTensors({ onehot: true });
  return { xs, ys };
}

/** Total epochs of the dense baseline: the same as the sparse pipeline's three stages together. */
export function denseEpochs(o: Pick<DemoOptions, 'proxEpochs' | 'hspgEpochs' | 'finetuneEpochs'>): number {
  return o.proxEpochs + o.hspgEpochs + o.finetuneEpochs;
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

/** One stage: label, epochs, learning rates, extra callbacks and the phase of each epoch. */
interface StagePlan {
  label: string;
  epochs: number;
  lr: { initial: number; final: number };
  seed: number;
  callbacks?: (tfl.Callback | tfl.CustomCallback)[];
  phaseOf: (epoch: number) => EpochRecord['phase'];
  describe?: () => string;
  sparsity?: () => number | null;
}

/** Runs one stage's `fit` and returns its curve; disposes the optimizer. */
async function fitStage(
  ctx: TrainContext,
  model: tfl.LayersModel,
  optimizer: tf.Optimizer,
  plan: StagePlan,
): Promise<EpochRecord[]> {
  const { train, val, o } = ctx;
  model.compile({ optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const curve: EpochRecord[] = [];
  const record = new tfl.CustomCallback({
    onEpochEnd: async (epoch, logs) => {
      curve.push({
        epoch,
        phase: plan.phaseOf(epoch),
        loss: (await logNumber(logs?.loss)) ?? Number.NaN,
        acc: (await logNumber(logs?.acc ?? logs?.accuracy)) ?? Number.NaN,
        valAcc: (await logNumber(logs?.val_acc ?? logs?.val_accuracy)) ?? null,
        groupSparsity: plan.sparsity?.() ?? null,
      });
    },
  });
  const progress = new ProgressCallback({
    label: plan.label,
    batchesPerEpoch: Math.ceil(train.xs.shape[0] / o.batchSize),
    epochs: plan.epochs,
    bar: o.progress && Boolean(process.stderr.isTTY),
    write: ctx.log,
    ...(plan.describe ? { describe: plan.describe } : {}),
  });
  try {
    await withSeededMathRandom(plan.seed, () =>
      model.fit(train.xs, train.ys, {
        batchSize: o.batchSize,
        epochs: plan.epochs,
        shuffle: true,
        ...(val ? { validationData: [val.xs, val.ys] as [tf.Tensor, tf.Tensor] } : {}),
        callbacks: [
          learningRateScheduler(cosineDecay({ initial: plan.lr.initial, final: plan.lr.final })),
          ...(plan.callbacks ?? []),
          progress,
          record,
        ],
      }),
    );
  } finally {
    disposeOptimizer(optimizer);
  }
  return curve;
}

/** The dense baseline: LeNet-5-Caffe, momentum SGD, cosine decay over all {@link denseEpochs}. */
export async function trainDense(
  ctx: TrainContext,
): Promise<{ model: tfl.LayersModel; curve: EpochRecord[] }> {
  const { o } = ctx;
  const model = lenet5Caffe({ seed: o.seed });
  const curve = await fitStage(ctx, model, tf.train.momentum(o.learningRate, o.momentum), {
    label: 'dense',
    epochs: denseEpochs(o),
    lr: { initial: o.learningRate, final: o.minLearningRate },
    seed: o.seed,
    phaseOf: () => 'dense',
  });
  return { model, curve };
}

/** What the sparse stage returns. */
export interface SparseRun {
  model: tfl.LayersModel;
  curve: EpochRecord[];
  regularizer: WgsefRegularizer;
  /** Per-batch group statistics (global steps). */
  history: ProxHistoryEntry[];
  /** Sparsity at the end of the prox-SGD phase and just before finalize. */
  afterProx: SparsityStats | undefined;
  beforeFinalize: SparsityStats;
  finalize: FinalizeResult;
  /** k per layer. */
  requested: Record<string, number>;
  /** Test accuracy of the sparse model just before the exact-k finalize (null when not evaluated). */
  accuracyBeforeFinalize: number | null;
  /** The lambda of every layer over the fit (what `'auto'` chose, or the numeric schedule). */
  lambdas: LambdaTrace | null;
}

function describeSparsity(reg: WgsefRegularizer): () => string {
  return () => {
    const st = reg.stats();
    return `nonzero groups ${Object.entries(st.layers)
      .map(([name, g]) => `${name} ${g.nonzero}/${g.groups}`)
      .join(', ')}`;
  };
}

/** The WGSEF regularizer of the demo: filters and dense neurons, `keep` per layer. */
export function demoRegularizer(o: DemoOptions, switchStep: number): WgsefRegularizer {
  const lambdaHspg = o.lambdaHspg ?? (typeof o.lambda === 'number' ? o.lambda / 20 : undefined);
  const lambda =
    o.lambda === 'auto'
      ? 'auto'
      : (step: number) => (step < switchStep || lambdaHspg === undefined ? (o.lambda as number) : lambdaHspg);
  return wgsef({
    groups: 'filters',
    keep: { fraction: o.keep },
    lambda: lambda as never,
    groupWeights: o.groupWeights,
  });
}

/** WGSEF prox-SGD, then HSPG's half-space stage (one `hspg()` optimizer), then the exact-k finalize. */
export async function trainSparse(
  ctx: TrainContext,
  evaluate?: (model: tfl.LayersModel) => Promise<number>,
): Promise<SparseRun> {
  const { o, train } = ctx;
  const model = lenet5Caffe({ seed: o.seed });
  const switchStep = o.proxEpochs * Math.ceil(train.xs.shape[0] / o.batchSize);
  const reg = demoRegularizer(o, switchStep);
  const prox = proxCallback(reg); // applies the prox in the prox-SGD stage only when no optimizer does
  let afterProx: SparsityStats | undefined;
  const optimizer = hspg({
    regularizer: reg,
    learningRate: o.learningRate,
    momentum: o.momentum,
    epsilon: o.epsilon,
    switchAt: { epoch: o.proxEpochs },
  });
  const curve = await fitStage(ctx, model, optimizer, {
    label: 'sparse',
    epochs: o.proxEpochs + o.hspgEpochs,
    lr: { initial: o.learningRate, final: o.minLearningRate },
    seed: o.seed + 1,
    callbacks: [
      prox,
      new tfl.CustomCallback({
        onEpochEnd: async (epoch) => {
          if (epoch === o.proxEpochs - 1) afterProx = reg.stats();
        },
      }),
    ],
    phaseOf: (e) => (e < o.proxEpochs ? 'wgsef' : 'hspg'),
    describe: describeSparsity(reg),
    sparsity: () => reg.stats().total.sparsity,
  });
  const requested: Record<string, number> = {};
  reg.layout.layerNames.forEach((name, l) => {
    requested[name] = reg.budget?.perLayer[l] as number;
  });
  const beforeFinalize = reg.stats();
  const accuracyBeforeFinalize = evaluate ? await evaluate(model) : null;
  const finalize = reg.finalize();
  const history: ProxHistoryEntry[] = [
    ...prox.history,
    {
      step: (prox.history.at(-1)?.step ?? -1) + 1,
      epoch: o.proxEpochs + o.hspgEpochs - 1,
      batch: -1,
      learningRate: undefined,
      value: reg.value(),
      nonzero: finalize.stats.total.nonzero,
      sparsity: finalize.stats.total.sparsity,
      layers: Object.fromEntries(Object.entries(finalize.stats.layers).map(([k, v]) => [k, v.nonzero])),
      finalized: true,
    },
  ];
  return {
    model,
    curve,
    regularizer: reg,
    history,
    afterProx,
    beforeFinalize,
    finalize,
    requested,
    accuracyBeforeFinalize,
    lambdas: lambdaTrace(prox.history, reg.binding.units, switchStep),
  };
}

/** Fine-tunes the pruned model for `finetuneEpochs` (momentum SGD, its own cosine decay). */
export async function fineTune(ctx: TrainContext, model: tfl.LayersModel): Promise<EpochRecord[]> {
  const { o } = ctx;
  if (o.finetuneEpochs === 0) return [];
  const curve = await fitStage(ctx, model, tf.train.momentum(o.finetuneLearningRate, o.momentum), {
    label: 'tune',
    epochs: o.finetuneEpochs,
    lr: { initial: o.finetuneLearningRate, final: o.minLearningRate },
    seed: o.seed + 2,
    phaseOf: () => 'finetune',
  });
  return curve.map((r) => ({ ...r, epoch: r.epoch + o.proxEpochs + o.hspgEpochs }));
}
