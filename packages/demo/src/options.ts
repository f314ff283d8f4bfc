/**
 * Command-line options of `npm run demo` (commander), parsed into a plain {@link DemoOptions} object.
 * Parsing is pure: no file system, no tfjs.
 */
import { Command, InvalidArgumentError } from 'commander';
import { nonNegativeInt, positiveInt, positiveNumber } from './cli-args';

/** Everything the demo pipeline needs to know. */
export interface DemoOptions {
  /** Total training epochs of each run (the dense baseline and the sparse run). */
  epochs: number;
  /** Epochs of phase 1 (WGSEF prox-SGD); the rest are phase 2 (HSPG half-space). */
  phase1Epochs: number;
  /** Share of the epochs given to phase 1 when `--phase1-epochs` is not set. */
  phase1Fraction: number;
  /** Fraction of the groups (filters / neurons) each layer keeps, in (0, 1]. */
  keep: number;
  /** Output directory (report.html, summary.json, pruned/). */
  out: string;
  /** Backend name, or 'auto' for `useBestBackend()`. */
  backend: 'auto' | 'wasm' | 'cpu' | 'tensorflow';
  /** Seed of the model initialisation and the data shuffles. */
  seed: number;
  /** Training images (the rest of the pool is never used; null = all but the validation slice). */
  trainLimit: number | null;
  /** Held-out training images used for the per-epoch validation curve. */
  valSize: number;
  /** Test images for the final accuracy (null = the whole test split). */
  testLimit: number | null;
  /** Mini-batch size. */
  batchSize: number;
  /** Peak learning rate (cosine annealed to `minLearningRate` over all epochs). */
  learningRate: number;
  /** Learning rate at the end of the cosine schedule. */
  minLearningRate: number;
  /** SGD momentum (both runs, and HSPG). */
  momentum: number;
  /** WGSEF strength lambda of phase 1 (prox-SGD). */
  lambda: number;
  /** WGSEF strength during the HSPG phase (null = lambda / 20): after the exact-k step only k groups per
   *  layer are nonzero and WGSEF is a plain ridge on them, so a phase-1 lambda would be a very strong
   *  weight decay. */
  lambdaHspg: number | null;
  /** HSPG half-space aggressiveness epsilon in [0, 1). */
  epsilon: number;
  /** WGSEF group weights: 'uniform' (w = 1, lambda acts alike on every layer) or 'sqrt-size'. */
  groupWeights: 'uniform' | 'sqrt-size';
  /** Batch sizes of the latency benchmark. */
  latencyBatchSizes: number[];
  /** Timed runs per model and batch size. */
  latencyRuns: number;
  /** Latency clock: wall time, or this process's CPU time (robust on a busy machine). */
  latencyClock: 'wall' | 'cpu';
  /** Data source: 'auto' (the full dataset when installed, else the embedded subset), 'full' or 'subset'. */
  data: 'auto' | 'full' | 'subset';
  /** Directory of the full dataset's IDX files (default: the Debian location). */
  dataDir: string | undefined;
  /** Apply the exact-k step after phase 1 as well, so HSPG fine-tunes exactly k groups per layer. */
  exactKBeforeHspg: boolean;
  /** Also measure the test accuracy just before the exact-k finalize (one more full evaluation). */
  evalBeforeFinalize: boolean;
  /** Show progress bars (only on a TTY). */
  progress: boolean;
  /** Whether --full was given. */
  full: boolean;
}

/** Defaults of the quick run (finishes in a few minutes on 2 cores). */
export const QUICK_DEFAULTS: Readonly<DemoOptions> = Object.freeze({
  epochs: 4,
  phase1Epochs: 1,
  phase1Fraction: 0.25,
  keep: 0.2,
  out: 'out/demo',
  backend: 'auto',
  seed: 1,
  trainLimit: 4096,
  valSize: 500,
  testLimit: null,
  batchSize: 64,
  learningRate: 0.05,
  minLearningRate: 0.002,
  momentum: 0.9,
  lambda: 0.4,
  lambdaHspg: null,
  epsilon: 0.05,
  groupWeights: 'uniform',
  latencyBatchSizes: [1, 64],
  latencyRuns: 30,
  latencyClock: 'cpu',
  data: 'auto',
  dataDir: undefined,
  exactKBeforeHspg: true,
  evalBeforeFinalize: false,
  progress: true,
  full: false,
} satisfies DemoOptions);

/** What `--full` changes: the whole training split and a longer, paper-like cosine schedule. */
export const FULL_OVERRIDES: Readonly<Partial<DemoOptions>> = Object.freeze({
  epochs: 30,
  phase1Fraction: 0.5,
  batchSize: 128,
  // ~50x more prox steps than the quick run: a weaker lambda (the paper's range is 1e-2 to 5e-2)
  lambda: 0.02,
  trainLimit: null,
  valSize: 5000,
  latencyRuns: 100,
  evalBeforeFinalize: true,
  full: true,
});

function fraction(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > 1) {
    throw new InvalidArgumentError(
      `--keep must be the fraction of groups each layer keeps, in (0, 1], got '${value}' (e.g. 0.2 keeps 20%).`,
    );
  }
  return n;
}

function unitInterval(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < 0 || n >= 1) {
      throw new InvalidArgumentError(`${name} must be a number in [0, 1), got '${value}'.`);
    }
    return n;
  };
}

function batchList(value: string): number[] {
  const parts = value.split(',').map((s) => s.trim());
  const sizes = parts.map(Number);
  if (parts.length === 0 || sizes.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new InvalidArgumentError(
      `--latency-batch must be comma-separated positive integers, got '${value}'.`,
    );
  }
  return sizes;
}

function oneOf<T extends string>(name: string, allowed: readonly T[]) {
  return (value: string): T => {
    if (!(allowed as readonly string[]).includes(value)) {
      throw new InvalidArgumentError(`${name} must be one of ${allowed.join(', ')}, got '${value}'.`);
    }
    return value as T;
  };
}

/** Builds the commander program (exported for `--help` text tests). */
export function demoProgram(): Command {
  return new Command('klevel-demo')
    .description(
      'LeNet-5-Caffe on Fashion-MNIST: WGSEF prox-SGD then HSPG to k filters/neurons per layer, exact-k finalize, ' +
        'prune, verify, benchmark dense vs pruned, and write an HTML report.',
    )
    .option(
      '--full',
      'whole training split, batch 128 and a paper-like 30-epoch cosine schedule (slow: hours on 2 cores)',
    )
    .option(
      '-e, --epochs <n>',
      `total epochs per run (default ${QUICK_DEFAULTS.epochs}; --full: 30)`,
      positiveInt('--epochs'),
    )
    .option(
      '--phase1-epochs <n>',
      'epochs of WGSEF prox-SGD before HSPG (default: a quarter of the epochs; --full: half, as in the paper)',
      positiveInt('--phase1-epochs'),
    )
    .option(
      '-k, --keep <fraction>',
      `fraction of filters/neurons each layer keeps (default ${QUICK_DEFAULTS.keep})`,
      fraction,
    )
    .option('-o, --out <dir>', `output directory (default ${QUICK_DEFAULTS.out})`)
    .option(
      '--backend <name>',
      'auto | wasm | cpu | tensorflow (default auto: useBestBackend())',
      oneOf('--backend', ['auto', 'wasm', 'cpu', 'tensorflow'] as const),
    )
    .option(
      '--seed <n>',
      `seed of initialisation and shuffles (default ${QUICK_DEFAULTS.seed})`,
      nonNegativeInt('--seed'),
    )
    .option(
      '--train-limit <n>',
      `training images (default ${QUICK_DEFAULTS.trainLimit}; --full: all)`,
      positiveInt('--train-limit'),
    )
    .option(
      '--val-size <n>',
      `held-out training images for the validation curve (default ${QUICK_DEFAULTS.valSize}; 0 = none)`,
      nonNegativeInt('--val-size'),
    )
    .option(
      '--test-limit <n>',
      'test images for the final accuracy (default: all 10,000)',
      positiveInt('--test-limit'),
    )
    .option(
      '--batch-size <n>',
      `mini-batch size (default ${QUICK_DEFAULTS.batchSize})`,
      positiveInt('--batch-size'),
    )
    .option('--lr <x>', `peak learning rate (default ${QUICK_DEFAULTS.learningRate})`, positiveNumber('--lr'))
    .option('--lambda <x>', `WGSEF strength (default ${QUICK_DEFAULTS.lambda})`, positiveNumber('--lambda'))
    .option(
      '--epsilon <x>',
      `HSPG half-space epsilon (default ${QUICK_DEFAULTS.epsilon})`,
      unitInterval('--epsilon'),
    )
    .option(
      '--group-weights <w>',
      'uniform | sqrt-size (default uniform)',
      oneOf('--group-weights', ['uniform', 'sqrt-size'] as const),
    )
    .option('--latency-batch <sizes>', 'latency batch sizes (default 1,64)', batchList)
    .option(
      '--latency-runs <n>',
      `timed runs per model (default ${QUICK_DEFAULTS.latencyRuns})`,
      positiveInt('--latency-runs'),
    )
    .option(
      '--latency-clock <clock>',
      'wall | cpu (default cpu: robust to other processes)',
      oneOf('--latency-clock', ['wall', 'cpu'] as const),
    )
    .option(
      '--data <source>',
      'auto | full | subset (default auto)',
      oneOf('--data', ['auto', 'full', 'subset'] as const),
    )
    .option('--data-dir <dir>', 'directory with the Fashion-MNIST IDX files')
    .option(
      '--eval-before-finalize',
      'also measure test accuracy just before the exact-k finalize (default with --full)',
    )
    .option('--no-progress', 'no progress bars')
    .exitOverride()
    .configureOutput({ writeOut: () => {}, writeErr: () => {} });
}

/** Default phase-1 length: `fraction` of the epochs (the paper switches to HSPG halfway; the quick run
 *  uses a quarter so the k-level network gets more fine-tuning), at least 1, leaving at least 1 for HSPG. */
export function defaultPhase1Epochs(epochs: number, fraction = 0.5): number {
  return Math.min(epochs - 1, Math.max(1, Math.round(epochs * fraction)));
}

/**
 * Parses the demo's arguments (without `node` and the script) into {@link DemoOptions}.
 * Throws commander's `CommanderError` on `--help` (code 'commander.helpDisplayed') or bad input.
 * @example parseDemoOptions(['--epochs', '6', '--keep', '0.3'])
 */
export function parseDemoOptions(argv: string[]): DemoOptions {
  const program = demoProgram();
  program.parse(argv, { from: 'user' });
  const o = program.opts<Record<string, unknown>>();
  const base: DemoOptions = { ...QUICK_DEFAULTS, ...(o.full ? FULL_OVERRIDES : {}) } as DemoOptions;
  const pick = <K extends keyof DemoOptions>(key: K, flag: string): DemoOptions[K] =>
    (o[flag] !== undefined ? o[flag] : base[key]) as DemoOptions[K];
  const epochs = pick('epochs', 'epochs');
  if (epochs < 2) {
    throw new InvalidArgumentError(
      `--epochs must be at least 2 (at least one epoch of WGSEF prox-SGD and one of HSPG), got ${epochs}.`,
    );
  }
  const phase1 = (o.phase1Epochs as number | undefined) ?? defaultPhase1Epochs(epochs, base.phase1Fraction);
  if (phase1 >= epochs) {
    throw new InvalidArgumentError(
      `--phase1-epochs (${phase1}) must be below --epochs (${epochs}) so HSPG gets at least one epoch.`,
    );
  }
  return {
    ...base,
    epochs,
    phase1Epochs: phase1,
    keep: pick('keep', 'keep'),
    out: pick('out', 'out'),
    backend: pick('backend', 'backend'),
    seed: pick('seed', 'seed'),
    trainLimit: pick('trainLimit', 'trainLimit'),
    valSize: pick('valSize', 'valSize'),
    testLimit: pick('testLimit', 'testLimit'),
    batchSize: pick('batchSize', 'batchSize'),
    learningRate: pick('learningRate', 'lr'),
    lambda: pick('lambda', 'lambda'),
    lambdaHspg: pick('lambdaHspg', 'lambdaHspg'),
    epsilon: pick('epsilon', 'epsilon'),
    groupWeights: pick('groupWeights', 'groupWeights'),
    latencyBatchSizes: pick('latencyBatchSizes', 'latencyBatch'),
    latencyRuns: pick('latencyRuns', 'latencyRuns'),
    latencyClock: pick('latencyClock', 'latencyClock'),
    data: pick('data', 'data'),
    dataDir: pick('dataDir', 'dataDir'),
    exactKBeforeHspg: o.exactKBeforeHspg !== false,
    evalBeforeFinalize: o.evalBeforeFinalize === true || base.evalBeforeFinalize,
    progress: o.progress !== false,
    full: o.full === true,
  };
}
