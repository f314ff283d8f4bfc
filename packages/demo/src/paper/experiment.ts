/**
 * The side-by-side experiment: every method trained on the same data, data order, seeds, epochs and
 * learning-rate schedule; every sparse method ends with the same exact-k step (so sparsity is matched),
 * is pruned physically, checked, fine-tuned equally, and evaluated.
 *
 * Schedule (E = epochs, split into phase 1 = floor(E/2) and phase 2 = the rest; lr = cosine over E):
 * - dense: momentum SGD for E epochs;
 * - WGSEF prox-SGD: momentum SGD + proxCallback(wgsef(keep = 1 - s)) for E epochs;
 * - WGSEF then HSPG: the same phase 1 (shared run), then HSPG (half-space stage) for phase 2;
 * - group lasso prox-SGD / then HSPG: the same with groupLasso() (its training does not depend on k, so one
 *   run per seed serves every sparsity);
 * - magnitude: the dense model, then keep the k filters/neurons of largest L2 norm per layer.
 * The optimizer is rebuilt at the phase boundary for every method (momentum restarts), so the shared
 * phase 1 is exactly what each method would run alone.
 */
import { hspg } from '@klevel/hspg';
import { proxCallback } from '@klevel/prox-callback';
import { prune } from '@klevel/pruner';
import { type GroupRegularizer, groupLasso, wgsef } from '@klevel/wgsef';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { cosineLr, METHOD_LABELS, type PaperMethod, type PaperOptions, phaseEpochs } from './options';
import type { RunRecord } from './stats';
import {
  buildModel,
  copyModel,
  type EpochLog,
  evaluateAccuracy,
  modelSize,
  type TensorData,
  trainEpochs,
} from './train';

/** Progress events of {@link runSeed}. */
export interface PaperProgress {
  /** A short description of what just happened. */
  message: string;
  /** Epoch-equivalents done and planned for the whole experiment (for an ETA). */
  unitsDone: number;
}

/** Epoch-equivalents one seed costs (training + fine-tunes), for progress and ETA. */
export function unitsPerSeed(o: PaperOptions): number {
  const { phase1, phase2 } = phaseEpochs(o.epochs);
  const S = o.sparsities.length;
  const has = (m: PaperMethod): boolean => o.methods.includes(m);
  let units = 0;
  if (has('dense') || has('magnitude')) units += o.epochs;
  const gl = has('group-lasso-prox') || has('group-lasso-hspg');
  if (gl) units += phase1 + (has('group-lasso-prox') ? phase2 : 0) + (has('group-lasso-hspg') ? phase2 : 0);
  const w = has('wgsef-prox') || has('wgsef-hspg');
  if (w) units += S * (phase1 + (has('wgsef-prox') ? phase2 : 0) + (has('wgsef-hspg') ? phase2 : 0));
  const sparseMethods = o.methods.filter((m) => m !== 'dense').length;
  // fine-tunes run on pruned (smaller) models: count them at half an epoch each
  units += 0.5 * o.finetuneEpochs * (sparseMethods * S + (has('dense') ? 2 : 0));
  return units;
}

/** A trained model of one method before the exact-k step (k-independent for group lasso). */
interface Trained {
  model: tfl.LayersModel;
  accuracy: number;
  seconds: number;
}

/** Context shared by the steps of one seed. */
interface SeedContext {
  o: PaperOptions;
  seed: number;
  train: TensorData;
  test: TensorData;
  progress: (message: string, units: number) => void;
}

function momentum(lr: number): tf.Optimizer {
  return tf.train.momentum(lr, 0.9);
}

function regularizerFor(kind: 'wgsef' | 'group-lasso', o: PaperOptions, sparsity: number, lambda?: number) {
  const keep = { fraction: 1 - sparsity };
  return kind === 'wgsef'
    ? wgsef({ groups: 'filters', keep, lambda: lambda ?? o.lambdaWgsef, scope: 'layer' })
    : groupLasso({ groups: 'filters', keep, lambda: lambda ?? o.lambdaGroupLasso, scope: 'layer' });
}

async function trainPhase(
  ctx: SeedContext,
  label: string,
  model: tfl.LayersModel,
  optimizer: tf.Optimizer,
  epochs: number[],
  callbacks: tfl.Callback[] = [],
): Promise<number> {
  const { o } = ctx;
  const seconds = await trainEpochs(model, optimizer, ctx.train, {
    epochs,
    seed: ctx.seed,
    batchSize: o.batchSize,
    lrOf: (e) => cosineLr(e, o.epochs, o.lr, o.lrMin),
    callbacks,
    onEpoch: (log: EpochLog) => {
      const sp =
        log.groupSparsity === undefined ? '' : ` group sparsity ${(100 * log.groupSparsity).toFixed(1)}%`;
      ctx.progress(
        `${label} epoch ${log.epoch + 1}/${o.epochs} lr ${log.lr.toFixed(4)} loss ${log.loss.toFixed(3)} acc ${log.acc.toFixed(3)}${sp} (${log.seconds.toFixed(1)} s)`,
        1,
      );
    },
  });
  optimizer.dispose();
  return seconds;
}

/**
 * The exact-k step, physical pruning (with the output check), the equal fine-tune and the evaluations.
 * `model` is consumed (disposed).
 */
async function finishSparse(
  ctx: SeedContext,
  method: PaperMethod,
  sparsity: number,
  trained: Trained,
  reg: GroupRegularizer,
): Promise<RunRecord> {
  const { o, seed } = ctx;
  const model = trained.model;
  reg.attach(model);
  const before = reg.stats();
  const fin = reg.finalize();
  const accuracyExactK = await evaluateAccuracy(model, ctx.test);
  // Keep exactly k groups per layer in the pruned architecture: a method that zeroed more than k groups of a
  // layer keeps the extra ones as zero groups (fine-tuning may revive them), so every method at level s
  // ends with the identical architecture. Every removed group is zero, so the output check still holds.
  const budget = reg.budget as NonNullable<GroupRegularizer['budget']>;
  const keep: Record<string, number> = {};
  reg.layout.layerNames.forEach((name, l) => {
    keep[name] = budget.perLayer[l] as number;
  });
  const { model: pruned, report } = await prune(model, { keep, check: { tolerance: 1e-4 } });
  const size = modelSize(pruned);
  model.dispose();
  let accuracyFineTuned: number | null = null;
  if (o.finetuneEpochs > 0) {
    const epochs = Array.from({ length: o.finetuneEpochs }, (_, i) => o.epochs + i);
    await trainEpochs(pruned, momentum(o.lrMin), ctx.train, {
      epochs,
      seed,
      batchSize: o.batchSize,
      lrOf: () => o.lrMin,
    });
    accuracyFineTuned = await evaluateAccuracy(pruned, ctx.test);
  }
  ctx.progress(
    `${METHOD_LABELS[method]} s=${sparsity}: sparsity before exact-k ${(100 * before.total.sparsity).toFixed(1)}%, ` +
      `acc trained ${trained.accuracy.toFixed(4)} exact-k ${accuracyExactK.toFixed(4)}` +
      (accuracyFineTuned === null ? '' : ` fine-tuned ${accuracyFineTuned.toFixed(4)}`) +
      `, ${size.params} params, ${size.macs} MACs`,
    0.5 * o.finetuneEpochs,
  );
  pruned.dispose();
  return {
    method,
    seed,
    sparsity,
    accuracyTrained: trained.accuracy,
    accuracyExactK,
    accuracyFineTuned,
    sparsityBeforeExactK: before.total.sparsity,
    sparsityAfterExactK: fin.stats.total.sparsity,
    groups: fin.stats.total.groups,
    params: size.params,
    macs: size.macs,
    pruneMaxDifference: report.equivalence?.maxRelativeDifference ?? null,
    trainSeconds: trained.seconds,
  };
}

/** Trains phase 1 with a regularizer via prox-SGD, then phase 2 with prox-SGD and/or HSPG. */
async function trainRegularized(
  ctx: SeedContext,
  kind: 'wgsef' | 'group-lasso',
  sparsity: number,
  wantProx: boolean,
  wantHspg: boolean,
): Promise<{ prox?: Trained; hspg?: Trained }> {
  const { o, seed } = ctx;
  const { phase1, phase2 } = phaseEpochs(o.epochs);
  const name = kind === 'wgsef' ? `WGSEF s=${sparsity}` : 'group lasso';
  const p1 = Array.from({ length: phase1 }, (_, i) => i);
  const p2 = Array.from({ length: phase2 }, (_, i) => phase1 + i);
  const base = buildModel(o.model, seed);
  const reg1 = regularizerFor(kind, o, sparsity);
  const t1 = await trainPhase(ctx, `[seed ${seed}] ${name} phase 1 (prox-SGD)`, base, momentum(o.lr), p1, [
    proxCallback(reg1),
  ]);
  const out: { prox?: Trained; hspg?: Trained } = {};
  if (wantHspg) {
    const model = wantProx ? copyModel(base, o.model) : base;
    const reg = regularizerFor(kind, o, sparsity);
    const opt = hspg({
      regularizer: reg,
      learningRate: o.lr,
      momentum: 0.9,
      epsilon: o.hspgEpsilon,
      switchAt: { step: 0 },
    });
    const t2 = await trainPhase(ctx, `[seed ${seed}] ${name} phase 2 (HSPG)`, model, opt, p2, [
      proxCallback(reg),
    ]);
    out.hspg = { model, accuracy: await evaluateAccuracy(model, ctx.test), seconds: t1 + t2 };
  }
  if (wantProx) {
    const reg = regularizerFor(kind, o, sparsity);
    const t2 = await trainPhase(ctx, `[seed ${seed}] ${name} phase 2 (prox-SGD)`, base, momentum(o.lr), p2, [
      proxCallback(reg),
    ]);
    out.prox = { model: base, accuracy: await evaluateAccuracy(base, ctx.test), seconds: t1 + t2 };
  }
  return out;
}

/** Runs every requested method for one seed; returns the run records. */
export async function runSeed(
  o: PaperOptions,
  seed: number,
  train: TensorData,
  test: TensorData,
  onProgress: (p: PaperProgress) => void,
): Promise<RunRecord[]> {
  let units = 0;
  const ctx: SeedContext = {
    o,
    seed,
    train,
    test,
    progress: (message, u) => {
      units += u;
      onProgress({ message, unitsDone: units });
    },
  };
  const has = (m: PaperMethod): boolean => o.methods.includes(m);
  const records: RunRecord[] = [];
  const { phase1, phase2 } = phaseEpochs(o.epochs);

  // dense, and magnitude pruning of the dense model
  if (has('dense') || has('magnitude')) {
    const dense = buildModel(o.model, seed);
    const p1 = Array.from({ length: phase1 }, (_, i) => i);
    const p2 = Array.from({ length: phase2 }, (_, i) => phase1 + i);
    let seconds = await trainPhase(ctx, `[seed ${seed}] dense phase 1`, dense, momentum(o.lr), p1);
    seconds += await trainPhase(ctx, `[seed ${seed}] dense phase 2`, dense, momentum(o.lr), p2);
    const accuracy = await evaluateAccuracy(dense, test);
    if (has('magnitude')) {
      for (const s of o.sparsities) {
        const copy = copyModel(dense, o.model);
        // lambda 0: no training effect; finalize keeps the k filters/neurons of largest L2 norm per layer
        const reg = regularizerFor('group-lasso', o, s, 0);
        records.push(await finishSparse(ctx, 'magnitude', s, { model: copy, accuracy, seconds }, reg));
      }
    }
    if (has('dense')) {
      const size = modelSize(dense);
      let accuracyFineTuned: number | null = null;
      if (o.finetuneEpochs > 0) {
        const epochs = Array.from({ length: o.finetuneEpochs }, (_, i) => o.epochs + i);
        await trainEpochs(dense, momentum(o.lrMin), train, {
          epochs,
          seed,
          batchSize: o.batchSize,
          lrOf: () => o.lrMin,
        });
        accuracyFineTuned = await evaluateAccuracy(dense, test);
      }
      ctx.progress(
        `dense: acc ${accuracy.toFixed(4)}${accuracyFineTuned === null ? '' : ` after the fine-tune epochs ${accuracyFineTuned.toFixed(4)}`}`,
        o.finetuneEpochs,
      );
      records.push({
        method: 'dense',
        seed,
        sparsity: null,
        accuracyTrained: accuracy,
        accuracyExactK: accuracy,
        accuracyFineTuned,
        sparsityBeforeExactK: 0,
        sparsityAfterExactK: 0,
        groups: 0,
        params: size.params,
        macs: size.macs,
        pruneMaxDifference: null,
        trainSeconds: seconds,
      });
    }
    dense.dispose();
  }

  // group lasso: one training per seed, the exact-k step per sparsity on copies
  if (has('group-lasso-prox') || has('group-lasso-hspg')) {
    const gl = await trainRegularized(
      ctx,
      'group-lasso',
      0.5,
      has('group-lasso-prox'),
      has('group-lasso-hspg'),
    );
    for (const [method, trained] of [
      ['group-lasso-prox', gl.prox],
      ['group-lasso-hspg', gl.hspg],
    ] as const) {
      if (!trained) continue;
      for (const s of o.sparsities) {
        const copy = copyModel(trained.model, o.model);
        const reg = regularizerFor('group-lasso', o, s);
        records.push(await finishSparse(ctx, method, s, { ...trained, model: copy }, reg));
      }
      trained.model.dispose();
    }
  }

  // WGSEF: k is part of the regularizer, so one training per sparsity
  if (has('wgsef-prox') || has('wgsef-hspg')) {
    for (const s of o.sparsities) {
      const w = await trainRegularized(ctx, 'wgsef', s, has('wgsef-prox'), has('wgsef-hspg'));
      if (w.prox)
        records.push(await finishSparse(ctx, 'wgsef-prox', s, w.prox, regularizerFor('wgsef', o, s)));
      if (w.hspg)
        records.push(await finishSparse(ctx, 'wgsef-hspg', s, w.hspg, regularizerFor('wgsef', o, s)));
    }
  }
  return records;
}
