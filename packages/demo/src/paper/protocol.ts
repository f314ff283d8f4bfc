/**
 * The training protocol of the full-scale experiment: one schedule shared by every method of a model
 * (epochs, batch, learning rates, the prox / half-space split and the fine-tune), the lambda candidates of
 * the searched methods and the data split. Pure.
 */
import { cosineDecay } from '@klevel/prox-callback';
import { type PaperMethod, type PaperModel, SCALES_METHODS } from './grid';

/** The schedule every method of one model follows. */
export interface Protocol {
  /** Epochs of the main phase (dense training, or the sparse training before the exact-k step). */
  mainEpochs: number;
  /** Of the main phase: epochs of prox-SGD before HSPG's half-space stage (HSPG methods only). */
  proxEpochs: number;
  /** Epochs of the fine-tune after pruning (dense and scratch continue with the same schedule). */
  finetuneEpochs: number;
  batchSize: number;
  /** Cosine learning rate of the main phase, per epoch, from `lr` to `lrMin`. */
  lr: number;
  lrMin: number;
  /** Cosine learning rate of the fine-tune, from `finetuneLr` to `lrMin`. */
  finetuneLr: number;
  momentum: number;
  /** HSPG half-space epsilon. */
  epsilon: number;
}

/** Per-model protocols: the dense LeNet-5-Caffe reaches >= 90.5% test accuracy with it. */
export const PROTOCOLS: Record<PaperModel, Protocol> = {
  'lenet5-caffe': {
    mainEpochs: 10,
    proxEpochs: 5,
    finetuneEpochs: 2,
    batchSize: 128,
    lr: 0.05,
    lrMin: 0.0005,
    finetuneLr: 0.01,
    momentum: 0.9,
    epsilon: 0.05,
  },
  'vgg-small-bn': {
    mainEpochs: 10,
    proxEpochs: 5,
    finetuneEpochs: 2,
    batchSize: 128,
    lr: 0.05,
    lrMin: 0.0005,
    finetuneLr: 0.01,
    momentum: 0.9,
    epsilon: 0.05,
  },
};

/** Total epochs of every method (the same for dense and for every sparse pipeline). */
export function totalEpochs(p: Protocol): number {
  return p.mainEpochs + p.finetuneEpochs;
}

/** Learning rate of main-phase epoch `e` (0-based). */
export function mainLr(p: Protocol, e: number): number {
  return cosineDecay({ initial: p.lr, final: p.lrMin, steps: p.mainEpochs })(e, p.mainEpochs);
}

/** Learning rate of fine-tune epoch `e` (0-based). */
export function finetuneLr(p: Protocol, e: number): number {
  return cosineDecay({ initial: p.finetuneLr, final: p.lrMin, steps: p.finetuneEpochs })(e, p.finetuneEpochs);
}

/** Lambda candidates of the searched methods: the same number of trials for each (the search budget). */
export const LAMBDA_GRID: Record<string, readonly number[]> = {
  'wgsef-hspg': [3e-5, 1e-4, 3e-4],
  'wgsef-prox': [3e-5, 1e-4, 3e-4],
  'group-lasso-hspg': [3e-5, 1e-4, 3e-4],
  'group-lasso-prox': [3e-5, 1e-4, 3e-4],
};

/** Images of the training split held out for validation (every hyperparameter choice uses them). */
export const VALIDATION_IMAGES = 5000;
/** Seed of the validation split (fixed, independent of the model seeds). */
export const VALIDATION_SEED = 20261202;

/** Which regularizer a method trains with, and how. */
export function methodShape(method: PaperMethod): {
  regularizer: 'wgsef' | 'group-lasso' | null;
  hspg: boolean;
  auto: boolean;
  /** How BatchNorm-followed filters are measured (`batchNorm` of the regularizer). */
  batchNorm: 'group' | 'scales';
} {
  return {
    regularizer: method.startsWith('wgsef')
      ? 'wgsef'
      : method.startsWith('group-lasso')
        ? 'group-lasso'
        : null,
    hspg: method.endsWith('-hspg'),
    auto: method.startsWith('wgsef-auto'),
    batchNorm: SCALES_METHODS.includes(method) ? 'scales' : 'group',
  };
}
