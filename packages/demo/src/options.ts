/**
 * Command-line options of `npm run demo` (commander), parsed into a plain {@link DemoOptions} object.
 * Parsing is pure: no file system, no tfjs.
 */
import { Command, InvalidArgumentError } from 'commander';
import { nonNegativeInt, positiveInt, positiveNumber } from './cli-args';

/** Everything the demo pipeline needs to know. */
export interface DemoOptions {
  /** Epochs of WGSEF prox-SGD (HSPG's first stage). */
  proxEpochs: number;
  /** Epochs of HSPG's half-space stage after it. */
  hspgEpochs: number;
  /** Epochs of the fine-tune of the pruned model. The dense baseline trains prox + HSPG + fine-tune epochs. */
  finetuneEpochs: number;
  /** Fraction of the groups (filters / neurons) each layer keeps, in (0, 1]. */
  keep: number;
  /** Output directory (report.html, summary.json, pruned/). */
  out: string;
  /** Backend name, or 'auto' for `useBestBackend()`. */
  backend: 'auto' | 'wasm' | 'cpu' | 'tensorflow';
  /** XNNPACK threads of the wasm backend, or 'auto': 2 on a machine with 2 or more logical cores (1 otherwise)
   *  when the demo starts wasm; a wasm backend already running in the process keeps its thread count. */
  wasmThreads: number | 'auto';
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
  /** Peak learning rate (cosine decay per batch to `minLearningRate`). */
  learningRate: number;
  /** Learning rate at the end of every cosine decay. */
  minLearningRate: number;
  /** Peak learning rate of the fine-tune of the pruned model. */
  finetuneLearningRate: number;
  /** SGD momentum (all stages, and HSPG). */
  momentum: number;
  /** WGSEF strength lambda of the prox-SGD stage, or 'auto'. */
  lambda: number | 'auto';
  /** WGSEF strength of the half-space stage (null = lambda / 20): with k groups left WGSEF is a plain ridge
   *  on them, so the prox-SGD strength would be a strong weight decay. Ignored with lambda 'auto'. */
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
  /** Show progress bars (only on a TTY). */
  progress: boolean;
  /** Whether --full was given. */
  full: boolean;
}

/** Defaults of the quick run (a few minutes on 2 cores, build included). */
export const QUICK_DEFAULTS: Readonly<DemoOptions> = Object.freeze({
  proxEpochs: 3,
  hspgEpochs: 1,
  finetuneEpochs: 3,
  keep: 0.2,
  out: 'out/demo',
  backend: 'auto',
  wasmThreads: 'auto',
  seed: 1,
  trainLimit: 12000,
  valSize: 1000,
  testLimit: null,
  batchSize: 64,
  learningRate: 0.05,
  minLearningRate: 0.001,
  finetuneLearningRate: 0.02,
  momentum: 0.9,
  lambda: 'auto',
  lambdaHspg: null,
  epsilon: 0.05,
  groupWeights: 'uniform',
  latencyBatchSizes: [1, 64],
  latencyRuns: 30,
  latencyClock: 'cpu',
  data: 'auto',
  dataDir: undefined,
  progress: true,
  full: false,
} satisfies DemoOptions);

/** What `--full` changes: the whole training split and longer stages (about an hour on 2 idle cores). */
export const FULL_OVERRIDES: Readonly<Partial<DemoOptions>> = Object.freeze({
  proxEpochs: 5,
  hspgEpochs: 5,
  finetuneEpochs: 2,
  trainLimit: null,
  valSize: 5000,
  batchSize: 128,
  latencyRuns: 100,
  full: true,
});

function threadsValue(value: string): number | 'auto' {
  if (value === 'auto') return 'auto';
  const n = positiveInt('--wasm-threads')(value);
  if (n > 64) throw new InvalidArgumentError(`--wasm-threads must be at most 64, got ${n}.`);
  return n;
}

function lambdaValue(value: string): number | 'auto' {
  if (value === 'auto') return 'auto';
  return positiveNumber('--lambda')(value);
}

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
    .option('--full', 'whole training split and longer stages (slow: about an hour on 2 cores)')
    .option(
      '--prox-epochs <n>',
      `epochs of WGSEF prox-SGD (default ${QUICK_DEFAULTS.proxEpochs}; --full: 5)`,
      positiveInt('--prox-epochs'),
    )
    .option(
      '--hspg-epochs <n>',
      `epochs of HSPG's half-space stage (default ${QUICK_DEFAULTS.hspgEpochs}; --full: 5)`,
      positiveInt('--hspg-epochs'),
    )
    .option(
      '--finetune-epochs <n>',
      `epochs of the fine-tune of the pruned model (default ${QUICK_DEFAULTS.finetuneEpochs}); the dense baseline trains prox + HSPG + fine-tune epochs`,
      nonNegativeInt('--finetune-epochs'),
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
      '--wasm-threads <n>',
      'XNNPACK threads of the wasm backend, a number or auto (default auto: 2 with 2+ cores, else 1)',
      threadsValue,
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
    .option(
      '--finetune-lr <x>',
      `peak learning rate of the fine-tune (default ${QUICK_DEFAULTS.finetuneLearningRate})`,
      positiveNumber('--finetune-lr'),
    )
    .option(
      '--lambda <x>',
      `WGSEF strength, a number or auto (default ${QUICK_DEFAULTS.lambda})`,
      lambdaValue,
    )
    .option(
      '--lambda-hspg <x>',
      'WGSEF strength in the half-space stage (default lambda / 20)',
      positiveNumber('--lambda-hspg'),
    )
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
    .option('--no-progress', 'no progress bars')
    .exitOverride()
    .configureOutput({ writeOut: () => {}, writeErr: () => {} });
}

/**
 * Parses the demo's arguments (without `node` and the script) into {@link DemoOptions}.
 * Throws commander's `CommanderError` on `--help` (code 'commander.helpDisplayed') or bad input.
 * @example parseDemoOptions(['--prox-epochs', '2', '--keep', '0.3'])
 */
export function parseDemoOptions(argv: string[]): DemoOptions {
  const program = demoProgram();
  program.parse(argv, { from: 'user' });
  const o = program.opts<Record<string, unknown>>();
  const base: DemoOptions = { ...QUICK_DEFAULTS, ...(o.full ? FULL_OVERRIDES : {}) } as DemoOptions;
  const flags: Record<string, keyof DemoOptions> = {
    lr: 'learningRate',
    finetuneLr: 'finetuneLearningRate',
    latencyBatch: 'latencyBatchSizes',
  };
  const out = { ...base };
  for (const [flag, value] of Object.entries(o)) {
    const key = flags[flag] ?? (flag as keyof DemoOptions);
    if (value !== undefined && key in base) (out as Record<string, unknown>)[key] = value;
  }
  out.progress = o.progress !== false;
  out.full = o.full === true;
  return out;
}
