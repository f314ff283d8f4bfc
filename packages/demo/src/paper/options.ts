/**
 * Options of the paper-style side-by-side experiment (`npm run bench:paper`) and their parsing from the
 * command line (commander). Pure: no tfjs, no file system.
 */
import { Command, InvalidArgumentError } from 'commander';
import { nonNegativeInt, nonNegativeNumber, positiveInt, positiveNumber } from '../cli-args';
import { cosineLearningRate } from '../schedule';

/** The compared methods, in table order. */
export const PAPER_METHODS = [
  'dense',
  'wgsef-prox',
  'wgsef-hspg',
  'group-lasso-prox',
  'group-lasso-hspg',
  'magnitude',
] as const;

/** One compared method. */
export type PaperMethod = (typeof PAPER_METHODS)[number];

/** Human-readable names of the methods (tables and progress). */
export const METHOD_LABELS: Record<PaperMethod, string> = {
  dense: 'dense (SGD)',
  'wgsef-prox': 'WGSEF prox-SGD',
  'wgsef-hspg': 'WGSEF then HSPG',
  'group-lasso-prox': 'group lasso prox-SGD',
  'group-lasso-hspg': 'group lasso then HSPG',
  magnitude: 'magnitude (L2) + fine-tune',
};

/** Reference models the experiment can train. */
export type PaperModel = 'lenet5-caffe' | 'lenet5';

/** Everything one experiment run needs. */
export interface PaperOptions {
  /** Model seeds (one full run of every method per seed); also seed the data order. */
  seeds: number[];
  /** Requested group sparsities in (0, 1): the fraction of filters/neurons removed in every layer. */
  sparsities: number[];
  /** Training epochs of every method (the two phases together). */
  epochs: number;
  /** Epochs of the equal fine-tune after the exact-k step (0 = none). */
  finetuneEpochs: number;
  /** Training images (the first N of the training split); undefined = all. */
  trainLimit: number | undefined;
  /** Test images (the first N of the test split); undefined = all. */
  testLimit: number | undefined;
  /** Methods to run, in table order. */
  methods: PaperMethod[];
  /** Mini-batch size. */
  batchSize: number;
  /** Peak learning rate of the shared cosine schedule (momentum SGD, momentum 0.9). */
  lr: number;
  /** Final learning rate of the cosine schedule; also the fine-tune learning rate. */
  lrMin: number;
  /** lambda of WGSEF (per-layer k, sqrt-size group weights). */
  lambdaWgsef: number;
  /** lambda of group lasso (sqrt-size group weights). */
  lambdaGroupLasso: number;
  /** HSPG half-space aggressiveness epsilon. */
  hspgEpsilon: number;
  /** Timed latency runs per model (batch 64, wasm). */
  latencyRuns: number;
  /** Latency batch size. */
  latencyBatch: number;
  /** Model to train. */
  model: PaperModel;
  /** Directory with the Fashion-MNIST IDX files; undefined = the zoo's default ('auto'). */
  dataDir: string | undefined;
  /** Where the Markdown report goes; the JSON goes beside it (`.json`). */
  out: string;
  /** Whether `--full` was given. */
  full: boolean;
}

/**
 * The default run (about 15-30 minutes on an idle 2-core machine). The lambdas were picked for this
 * schedule (1,500 images, batch 64, 4 epochs: 96 steps, sum of step sizes about 2.6) so that the
 * regularizers reach a substantial but not total group sparsity before the exact-k step.
 */
export const DEFAULT_PAPER_OPTIONS: PaperOptions = {
  seeds: [1, 2, 3],
  sparsities: [0.5, 0.7, 0.8, 0.85],
  epochs: 4,
  finetuneEpochs: 1,
  trainLimit: 1500,
  testLimit: 2000,
  methods: [...PAPER_METHODS],
  batchSize: 64,
  lr: 0.05,
  lrMin: 0.005,
  lambdaWgsef: 1e-3,
  lambdaGroupLasso: 2e-2,
  hspgEpsilon: 0.2,
  latencyRuns: 30,
  latencyBatch: 64,
  model: 'lenet5-caffe',
  dataDir: undefined,
  out: 'docs/results.md',
  full: false,
};

/**
 * What `--full` changes: the whole dataset (60,000 / 10,000 images) and a longer schedule. About 117x more
 * optimizer steps x step size than the default run, so both lambdas are divided by about 117 to keep
 * lambda x (sum of step sizes) comparable. These lambdas are a scaling rule, not tuned values: check the
 * "sparsity before exact-k" column. Estimated time on an idle 2-core machine: about 5 hours per seed.
 */
export const FULL_PAPER_OVERRIDES: Partial<PaperOptions> = {
  trainLimit: undefined,
  testLimit: undefined,
  epochs: 12,
  finetuneEpochs: 2,
  lambdaWgsef: 8.5e-6,
  lambdaGroupLasso: 1.7e-4,
  latencyRuns: 100,
  full: true,
};

/**
 * `--seeds 3` means seeds 1, 2, 3; `--seeds 7,11,13` lists them; `--seeds 7,` is the single seed 7.
 * Duplicates are errors.
 */
export function parseSeeds(value: string): number[] {
  const text = value.trim();
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    if (n < 1) throw new InvalidArgumentError(`--seeds must be a count >= 1 or a list, got '${value}'.`);
    return Array.from({ length: n }, (_, i) => i + 1);
  }
  // a trailing comma makes a one-seed list: '--seeds 7,' is seed 7 (while '--seeds 7' is seeds 1..7)
  const seeds = text
    .replace(/,\s*$/, '')
    .split(',')
    .map((s) => s.trim());
  const out = seeds.map((s) => {
    const n = Number(s);
    if (s === '' || !Number.isInteger(n) || n < 0) {
      throw new InvalidArgumentError(
        `--seeds must be a count (e.g. 3) or a comma-separated list of integers >= 0 (e.g. 1,2,3), got '${value}'.`,
      );
    }
    return n;
  });
  if (new Set(out).size !== out.length) {
    throw new InvalidArgumentError(`--seeds lists a seed twice: '${value}'.`);
  }
  return out;
}

/**
 * `--sparsities 0.5,0.7,0.85` or in percent `50,70,85`. Each must lie strictly between 0 and 1
 * (0 and 100 %); the list is sorted and de-duplicated.
 */
export function parseSparsities(value: string): number[] {
  const parts = value.split(',').map((s) => s.trim());
  const raw = parts.map((s) => Number(s));
  if (parts.some((s) => s === '') || raw.some((n) => !Number.isFinite(n))) {
    throw new InvalidArgumentError(
      `--sparsities must be a comma-separated list like 0.5,0.7,0.85 (or 50,70,85), got '${value}'.`,
    );
  }
  const percent = raw.some((n) => n >= 1);
  const values = raw.map((n) => (percent ? n / 100 : n));
  for (const [i, s] of values.entries()) {
    if (!(s > 0 && s < 1)) {
      throw new InvalidArgumentError(
        `--sparsities: each value must be in (0, 1) or (0, 100) percent, got '${parts[i]}' in '${value}'.`,
      );
    }
  }
  return [...new Set(values.map((s) => Math.round(s * 1e6) / 1e6))].sort((a, b) => a - b);
}

/** `--methods wgsef-prox,magnitude` (any subset of {@link PAPER_METHODS}; kept in table order). */
export function parseMethods(value: string): PaperMethod[] {
  const names = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const unknown = names.filter((n) => !(PAPER_METHODS as readonly string[]).includes(n));
  if (names.length === 0 || unknown.length > 0) {
    throw new InvalidArgumentError(
      `--methods: unknown method(s) ${unknown.map((u) => `'${u}'`).join(', ') || '(empty list)'}; known: ${PAPER_METHODS.join(', ')}.`,
    );
  }
  return PAPER_METHODS.filter((m) => names.includes(m));
}

function parseModel(value: string): PaperModel {
  if (value !== 'lenet5-caffe' && value !== 'lenet5') {
    throw new InvalidArgumentError(`--model must be 'lenet5-caffe' or 'lenet5', got '${value}'.`);
  }
  return value;
}

/** The commander program of `bench:paper` (no action; {@link parsePaperArgs} reads its options). */
export function paperProgram(): Command {
  const d = DEFAULT_PAPER_OPTIONS;
  return new Command('bench-paper')
    .description(
      'Side-by-side Fashion-MNIST experiment: dense, WGSEF prox-SGD, WGSEF then HSPG, group lasso prox-SGD, group lasso then HSPG and magnitude pruning at matched filter/neuron sparsity; writes a Markdown report and raw JSON.',
    )
    .option('--full', 'whole dataset and the paper-like schedule (takes hours)', false)
    .option(
      '--seeds <n|list>',
      `number of seeds, or a list such as 7,11 (one seed: 7,) (default ${d.seeds.join(',')})`,
      parseSeeds,
    )
    .option(
      '--sparsities <list>',
      `requested filter/neuron sparsities (default ${d.sparsities.join(',')})`,
      parseSparsities,
    )
    .option('--epochs <n>', `training epochs of every method (default ${d.epochs})`, positiveInt('--epochs'))
    .option(
      '--finetune-epochs <n>',
      `fine-tune epochs after the exact-k step (default ${d.finetuneEpochs})`,
      nonNegativeInt('--finetune-epochs'),
    )
    .option(
      '--train-limit <n>',
      `training images (default ${d.trainLimit}; --full: all)`,
      positiveInt('--train-limit'),
    )
    .option(
      '--test-limit <n>',
      `test images (default ${d.testLimit}; --full: all)`,
      positiveInt('--test-limit'),
    )
    .option('--methods <list>', `methods to run (default all: ${PAPER_METHODS.join(',')})`, parseMethods)
    .option('--batch-size <n>', `mini-batch size (default ${d.batchSize})`, positiveInt('--batch-size'))
    .option('--lr <x>', `peak learning rate (default ${d.lr})`, positiveNumber('--lr'))
    .option(
      '--lr-min <x>',
      `final and fine-tune learning rate (default ${d.lrMin})`,
      positiveNumber('--lr-min'),
    )
    .option(
      '--lambda-wgsef <x>',
      `WGSEF lambda (default ${d.lambdaWgsef})`,
      nonNegativeNumber('--lambda-wgsef'),
    )
    .option(
      '--lambda-group-lasso <x>',
      `group lasso lambda (default ${d.lambdaGroupLasso})`,
      nonNegativeNumber('--lambda-group-lasso'),
    )
    .option('--hspg-epsilon <x>', `HSPG epsilon in [0, 1) (default ${d.hspgEpsilon})`, (v: string) => {
      const n = Number(v);
      if (!(n >= 0 && n < 1)) throw new InvalidArgumentError(`--hspg-epsilon must be in [0, 1), got '${v}'.`);
      return n;
    })
    .option(
      '--latency-runs <n>',
      `timed latency runs per model, 0 = skip the latency benchmark (default ${d.latencyRuns})`,
      nonNegativeInt('--latency-runs'),
    )
    .option(
      '--latency-batch <n>',
      `latency batch size (default ${d.latencyBatch})`,
      positiveInt('--latency-batch'),
    )
    .option('--model <name>', `lenet5-caffe or lenet5 (default ${d.model})`, parseModel)
    .option(
      '--data-dir <dir>',
      'directory with the Fashion-MNIST IDX files (default: the installed dataset, else the embedded subset)',
    )
    .option('--out <file>', `Markdown report path; the JSON goes beside it (default ${d.out})`);
}

/**
 * Parses `argv` (without the node and script entries) into {@link PaperOptions}: defaults, then `--full`,
 * then every explicit option. Throws commander's error (with a message naming the option) on bad input.
 */
export function parsePaperArgs(argv: string[]): PaperOptions {
  const program = paperProgram()
    .exitOverride()
    .configureOutput({ writeErr: () => {}, writeOut: () => {} });
  program.parse(argv, { from: 'user' });
  const o = program.opts<Record<string, unknown>>();
  const base: PaperOptions = { ...DEFAULT_PAPER_OPTIONS, ...(o.full ? FULL_PAPER_OVERRIDES : {}) };
  const pick = <K extends keyof PaperOptions>(key: K, cli: string = key): void => {
    if (o[cli] !== undefined) base[key] = o[cli] as PaperOptions[K];
  };
  pick('seeds');
  pick('sparsities');
  pick('epochs');
  pick('finetuneEpochs');
  pick('trainLimit');
  pick('testLimit');
  pick('methods');
  pick('batchSize');
  pick('lr');
  pick('lrMin');
  pick('lambdaWgsef');
  pick('lambdaGroupLasso');
  pick('hspgEpsilon');
  pick('latencyRuns');
  pick('latencyBatch');
  pick('model');
  pick('dataDir');
  pick('out');
  if (base.lrMin > base.lr) {
    throw new InvalidArgumentError(`--lr-min (${base.lrMin}) must not exceed --lr (${base.lr}).`);
  }
  if (base.epochs < 2 && base.methods.some((m) => m.endsWith('-hspg'))) {
    throw new InvalidArgumentError(
      `--epochs must be >= 2 when an HSPG method runs (prox-SGD first half, half-space second half), got ${base.epochs}.`,
    );
  }
  return base;
}

/** Phase split of the schedule: the first `phase1` epochs are shared (prox-SGD) before HSPG's switch. */
export function phaseEpochs(epochs: number): { phase1: number; phase2: number } {
  const phase1 = Math.max(1, Math.floor(epochs / 2));
  return { phase1, phase2: epochs - phase1 };
}

/** Cosine learning rate of epoch `e` (0-based) of `epochs`: from `lr` at e = 0 to `lrMin` at the last epoch. */
export function cosineLr(e: number, epochs: number, lr: number, lrMin: number): number {
  return epochs <= 1 ? lr : cosineLearningRate(e, epochs - 1, lr, lrMin);
}
