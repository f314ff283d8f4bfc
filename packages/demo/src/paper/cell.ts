/**
 * One training run of the full-scale grid: a (model, method, level, seed[, lambda]) cell, end to end:
 * train with the model's protocol, exact-k, prune (output-checked), fine-tune the pruned model, evaluate
 * on the validation split (for choices) and on the test split (for the report).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { hspg } from '@klevel/hspg';
import { proxCallback } from '@klevel/prox-callback';
import { prune } from '@klevel/pruner';
import { loadModel, saveModel } from '@klevel/pruner/node';
import { type GroupRegularizer, groupLasso, wgsef } from '@klevel/wgsef';
import { lenet5Caffe, vggSmall } from '@klevel/zoo';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { disposeOptimizer } from '../train';
import { removeCheckpoint } from './checkpoint';
import { type Job, jobKey, type PaperModel } from './grid';
import { finetuneLr, mainLr, methodShape, type Protocol } from './protocol';
import { evaluateAccuracy, modelSize, type TensorData, trainEpochs } from './train';

/** Layer widths of a model (filters / units of each regularized layer). */
export type Widths = Record<string, number>;

/** The base widths of each model's regularized layers. */
const BASE_WIDTHS: Record<PaperModel, Widths> = {
  'lenet5-caffe': { conv1: 20, conv2: 50, fc1: 500 },
  'vgg-small-bn': { conv1: 16, conv2: 16, conv3: 32, conv4: 32, fc1: 128 },
};

/** A fresh, uncompiled model with seeded kernels (optionally narrower: the pruned architecture). */
export function buildModel(
  kind: PaperModel,
  seed: number,
  widths: Widths = BASE_WIDTHS[kind],
): tfl.LayersModel {
  const w = (name: string): number => widths[name] as number;
  return kind === 'lenet5-caffe'
    ? lenet5Caffe({ seed, filters: [w('conv1'), w('conv2')], units: [w('fc1')] })
    : vggSmall({
        seed,
        batchNorm: true,
        filters: [w('conv1'), w('conv2'), w('conv3'), w('conv4')],
        units: w('fc1'),
      });
}

/** The k of every regularized layer at sparsity `s` (what the exact-k step keeps). */
export function keptWidths(kind: PaperModel, s: number): Widths {
  const out: Widths = {};
  for (const [name, n] of Object.entries(BASE_WIDTHS[kind])) out[name] = Math.max(1, Math.round((1 - s) * n));
  return out;
}

/** What one run records (a line of the results JSONL). */
export interface RunResult {
  valAccuracy: number;
  testAccuracy: number;
  /** Test accuracy right after the exact-k step and pruning, before the fine-tune (null: dense/scratch). */
  testAccuracyExactK: number | null;
  /** Fraction of regularized groups exactly zero before the exact-k step (null: not regularized). */
  sparsityBeforeExactK: number | null;
  /** Group sparsity of the final model (fraction of filters/neurons removed). */
  groupSparsity: number;
  /** Every regularized layer has exactly k groups (widths of the final model). */
  exactK: boolean;
  widths: Widths;
  params: number;
  macs: number;
  /** Max relative output difference pruned vs sparse (null when nothing was pruned). */
  pruneMaxDifference: number | null;
  /** Wall and process-CPU seconds of the training (main phase + fine-tune). */
  trainSeconds: number;
  trainCpuSeconds: number;
  /** Per-epoch log lines (loss, accuracy, lr, sparsity). */
  epochs: { epoch: number; lr: number; loss: number; acc: number; groupSparsity?: number; seconds: number }[];
  /** What lambda 'auto' chose per layer at the end, when reported by the library. */
  autoLambda?: unknown;
}

/** What a run needs besides its job. */
export interface CellContext {
  protocol: Protocol;
  train: TensorData;
  val: TensorData;
  test: TensorData;
  /** Directory for the dense main-phase checkpoints that magnitude pruning reuses. */
  cacheDir: string;
  log: (line: string) => void;
}

function widthsOf(model: tfl.LayersModel, kind: PaperModel): Widths {
  const out: Widths = {};
  for (const name of Object.keys(BASE_WIDTHS[kind])) {
    const cfg = model.getLayer(name).getConfig() as { filters?: number; units?: number };
    out[name] = (cfg.filters ?? cfg.units) as number;
  }
  return out;
}

function regularizerFor(job: Extract<Job, { kind: 'run' }>, stepsMain: number): GroupRegularizer {
  const shape = methodShape(job.method);
  const common = { groups: 'filters', keep: { fraction: 1 - job.sparsity }, scope: 'layer' } as const;
  const batchNorm = shape.batchNorm;
  if (shape.regularizer === 'group-lasso') {
    return groupLasso({ ...common, lambda: job.lambda ?? 0, batchNorm });
  }
  if (shape.auto) return wgsef({ ...common, lambda: 'auto', targetStep: stepsMain, batchNorm });
  return wgsef({ ...common, lambda: job.lambda ?? 0, batchNorm });
}

class Timer {
  private readonly wall = performance.now();
  private readonly cpu = process.cpuUsage();
  seconds(): { wall: number; cpu: number } {
    const c = process.cpuUsage(this.cpu);
    return { wall: (performance.now() - this.wall) / 1000, cpu: (c.user + c.system) / 1e6 };
  }
}

/** Runs one training job; disposes everything it creates. */
export async function runCell(job: Extract<Job, { kind: 'run' }>, ctx: CellContext): Promise<RunResult> {
  const p = ctx.protocol;
  const timer = new Timer();
  const epochs: RunResult['epochs'] = [];
  const label = `${job.model} ${job.method} s=${job.sparsity} seed ${job.seed}${job.lambda === null ? '' : ` lambda ${job.lambda}`}`;
  const onEpoch = (phase: string) => (l: RunResult['epochs'][number] & { resumed?: boolean }) => {
    epochs.push({
      epoch: epochs.length,
      lr: l.lr,
      loss: l.loss,
      acc: l.acc,
      seconds: l.seconds,
      ...(l.groupSparsity === undefined ? {} : { groupSparsity: l.groupSparsity }),
    });
    if (l.resumed) {
      ctx.log(`  ${label}: ${phase} epoch ${epochs.length} restored from its checkpoint`);
      return;
    }
    const sp = l.groupSparsity === undefined ? '' : ` group sparsity ${(100 * l.groupSparsity).toFixed(1)}%`;
    ctx.log(
      `  ${label}: ${phase} epoch ${epochs.length} lr ${l.lr.toFixed(4)} loss ${l.loss.toFixed(4)} acc ${l.acc.toFixed(4)}${sp} (${l.seconds.toFixed(0)} s)`,
    );
  };
  const mainEpochs = Array.from({ length: p.mainEpochs }, (_, i) => i);
  const ftEpochs = Array.from({ length: p.finetuneEpochs }, (_, i) => p.mainEpochs + i);
  const common = { seed: job.seed, batchSize: p.batchSize };
  const ckpt = join(ctx.cacheDir, 'checkpoints', jobKey(job).replace(/[^\w.-]+/g, '_'));
  const mainOpts = {
    ...common,
    epochs: mainEpochs,
    lrOf: (e: number) => mainLr(p, e),
    onEpoch: onEpoch('main'),
    checkpoint: join(ckpt, 'main'),
  };
  const ftOpts = {
    ...common,
    checkpoint: join(ckpt, 'finetune'),
    epochs: ftEpochs,
    lrOf: (e: number) => finetuneLr(p, e - p.mainEpochs),
    onEpoch: onEpoch('fine-tune'),
  };
  const momentum = (lr: number) => tf.train.momentum(lr, p.momentum);
  const stepsPerEpoch = Math.ceil(ctx.train.count / p.batchSize);

  let model: tfl.LayersModel;
  let sparsityBefore: number | null = null;
  let accExactK: number | null = null;
  let pruneDiff: number | null = null;
  let autoLambda: unknown;
  if (job.method === 'dense' || job.method === 'scratch') {
    const widths = job.method === 'scratch' ? keptWidths(job.model, job.sparsity) : undefined;
    model = buildModel(job.model, job.seed, widths);
    await fitWith(model, momentum(p.lr), ctx.train, mainOpts);
    if (job.method === 'dense') {
      await saveModel(model, denseCheckpoint(ctx, job.model, job.seed));
    }
  } else {
    let sparse: tfl.LayersModel;
    let reg: GroupRegularizer;
    if (job.method === 'magnitude' || job.method === 'magnitude-scales') {
      sparse = await denseAfterMain(job, ctx, mainOpts, momentum);
      // lambda 0: no training effect; finalize keeps the k filters/neurons of largest L2 norm per layer
      // (with 'scales': of largest BN gamma/beta norm for the BN-followed filters)
      reg = groupLasso({
        groups: 'filters',
        keep: { fraction: 1 - job.sparsity },
        lambda: 0,
        scope: 'layer',
        batchNorm: methodShape(job.method).batchNorm,
      });
    } else {
      sparse = buildModel(job.model, job.seed);
      reg = regularizerFor(job, stepsPerEpoch * p.mainEpochs);
      const shape = methodShape(job.method);
      const optimizer = shape.hspg
        ? hspg({
            regularizer: reg,
            learningRate: p.lr,
            momentum: p.momentum,
            epsilon: p.epsilon,
            switchAt: { step: p.proxEpochs * stepsPerEpoch },
          })
        : momentum(p.lr);
      await fitWith(sparse, optimizer, ctx.train, { ...mainOpts, callbacks: [proxCallback(reg)] });
      autoLambda = shape.auto ? (reg as unknown as { autoLambdaState?: unknown }).autoLambdaState : undefined;
    }
    reg.attach(sparse);
    sparsityBefore = reg.stats().total.sparsity;
    reg.finalize();
    const keep = keptWidths(job.model, job.sparsity);
    const pruned = await prune(sparse, { keep, check: { tolerance: 1e-4 } });
    sparse.dispose();
    model = pruned.model;
    pruneDiff = pruned.report.equivalence?.maxRelativeDifference ?? null;
    accExactK = await evaluateAccuracy(model, ctx.test);
  }
  try {
    await fitWith(model, momentum(p.finetuneLr), ctx.train, ftOpts);
    const t = timer.seconds();
    const widths = widthsOf(model, job.model);
    const base = BASE_WIDTHS[job.model];
    const k = job.method === 'dense' ? base : keptWidths(job.model, job.sparsity);
    const total = Object.values(base).reduce((a, b) => a + b, 0);
    const kept = Object.values(widths).reduce((a, b) => a + b, 0);
    const size = modelSize(model);
    const valAccuracy = await evaluateAccuracy(model, ctx.val);
    const testAccuracy = await evaluateAccuracy(model, ctx.test);
    removeCheckpoint(ckpt);
    return {
      valAccuracy,
      testAccuracy,
      testAccuracyExactK: accExactK,
      sparsityBeforeExactK: sparsityBefore,
      groupSparsity: 1 - kept / total,
      exactK: Object.entries(k).every(([name, n]) => widths[name] === n),
      widths,
      params: size.params,
      macs: size.macs,
      pruneMaxDifference: pruneDiff,
      // the epochs' own times, so that epochs restored from a checkpoint count too
      trainSeconds: epochs.reduce((sum, e) => sum + e.seconds, 0),
      trainCpuSeconds: t.cpu,
      epochs,
      ...(autoLambda === undefined ? {} : { autoLambda }),
    };
  } finally {
    model.dispose();
  }
}

type FitOptions = Parameters<typeof trainEpochs>[3];

async function fitWith(
  model: tfl.LayersModel,
  optimizer: tf.Optimizer,
  data: TensorData,
  options: FitOptions,
): Promise<void> {
  try {
    await trainEpochs(model, optimizer, data, options);
  } finally {
    disposeOptimizer(optimizer);
  }
}

function denseCheckpoint(ctx: CellContext, kind: PaperModel, seed: number): string {
  return join(ctx.cacheDir, `${kind}-dense-main-seed${seed}`);
}

/** The dense model after the main phase: the checkpoint of the dense cell, or trained again. */
async function denseAfterMain(
  job: Extract<Job, { kind: 'run' }>,
  ctx: CellContext,
  mainOpts: FitOptions,
  momentum: (lr: number) => tf.Optimizer,
): Promise<tfl.LayersModel> {
  const dir = denseCheckpoint(ctx, job.model, job.seed);
  if (existsSync(join(dir, 'model.json'))) {
    ctx.log(`  magnitude: dense main-phase checkpoint ${dir}`);
    return loadModel(dir);
  }
  ctx.log('  magnitude: no dense checkpoint, training the dense main phase');
  const model = buildModel(job.model, job.seed);
  await fitWith(model, momentum(ctx.protocol.lr), ctx.train, mainOpts);
  await saveModel(model, dir);
  return model;
}
