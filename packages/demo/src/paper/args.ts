/**
 * Command-line options of `npm run bench:paper` (commander), parsed into {@link PaperArgs}. Pure: no tfjs,
 * no file system.
 */
import { Command, InvalidArgumentError } from 'commander';
import { nonNegativeInt, positiveInt } from '../cli-args';
import { PAPER_METHODS, PAPER_MODELS, type PaperMethod, type PaperModel } from './grid';

/** Everything the CLI needs. */
export interface PaperArgs {
  models: PaperModel[];
  methods: PaperMethod[];
  sparsities: number[];
  seeds: number[];
  /** Level and seed of the lambda search (on validation). */
  searchSparsity: number;
  /** Seed of the lambda search: fixed, so that a slice such as `--seeds 2` reuses the search (default 0). */
  searchSeed: number;
  results: string;
  resume: boolean;
  /** Only render docs/results.md and docs/results-summary.json from the results file. */
  reportOnly: boolean;
  out: string;
  summary: string;
  cacheDir: string;
  dataDir: string | undefined;
  trainLimit: number | undefined;
  testLimit: number | undefined;
  mainEpochs: number | undefined;
  proxEpochs: number | undefined;
  finetuneEpochs: number | undefined;
  latencyRuns: number;
  latencyBatch: number;
  maxJobs: number | undefined;
  progress: boolean;
}

export const PAPER_DEFAULTS: Readonly<PaperArgs> = Object.freeze({
  models: [...PAPER_MODELS],
  methods: [...PAPER_METHODS],
  sparsities: [0.5, 0.7, 0.8, 0.9],
  seeds: [0, 1, 2],
  searchSparsity: 0.8,
  searchSeed: 0,
  results: 'docs/results-runs.jsonl',
  resume: false,
  reportOnly: false,
  out: 'docs/results.md',
  summary: 'docs/results-summary.json',
  cacheDir: 'out/paper-cache',
  dataDir: undefined,
  trainLimit: undefined,
  testLimit: undefined,
  mainEpochs: undefined,
  proxEpochs: undefined,
  finetuneEpochs: undefined,
  latencyRuns: 50,
  latencyBatch: 64,
  maxJobs: undefined,
  progress: true,
} satisfies PaperArgs);

function listOf<T extends string>(name: string, allowed: readonly T[]) {
  return (value: string): T[] => {
    const names = value
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    const unknown = names.filter((n) => !(allowed as readonly string[]).includes(n));
    if (names.length === 0 || unknown.length > 0) {
      throw new InvalidArgumentError(
        `${name}: unknown value(s) ${unknown.map((u) => `'${u}'`).join(', ') || '(empty list)'}; known: ${allowed.join(', ')}.`,
      );
    }
    return allowed.filter((m) => names.includes(m));
  };
}

/** `--sparsities 0.5,0.7` or in percent `50,70`: each in (0, 1); sorted, de-duplicated. */
export function parseSparsities(value: string): number[] {
  const parts = value.split(',').map((s) => s.trim());
  const raw = parts.map(Number);
  if (parts.some((s) => s === '') || raw.some((n) => !Number.isFinite(n))) {
    throw new InvalidArgumentError(`--sparsities must be a list like 0.5,0.8 (or 50,80), got '${value}'.`);
  }
  const values = raw.map((n) => (raw.some((x) => x >= 1) ? n / 100 : n));
  for (const [i, s] of values.entries()) {
    if (!(s > 0 && s < 1)) {
      throw new InvalidArgumentError(
        `--sparsities: each value must be in (0, 1) or (0, 100) percent, got '${parts[i]}'.`,
      );
    }
  }
  return [...new Set(values.map((s) => Math.round(s * 1e6) / 1e6))].sort((a, b) => a - b);
}

/** `--seeds 0,1,2` (integers >= 0, no duplicates). */
export function parseSeeds(value: string): number[] {
  const parts = value.split(',').map((s) => s.trim());
  const seeds = parts.map(Number);
  if (parts.some((s) => s === '') || seeds.some((n) => !Number.isInteger(n) || n < 0)) {
    throw new InvalidArgumentError(`--seeds must be a list of integers >= 0 such as 0,1,2, got '${value}'.`);
  }
  if (new Set(seeds).size !== seeds.length)
    throw new InvalidArgumentError(`--seeds lists a seed twice: '${value}'.`);
  return seeds;
}

/** The commander program (also the `--help` text). */
export function paperProgram(): Command {
  const d = PAPER_DEFAULTS;
  return new Command('bench-paper')
    .description(
      'Full-scale Fashion-MNIST experiment: every (model, method, sparsity, seed) cell trained with the same data, epochs, schedule and fine-tune, lambdas searched on a validation split; results appended to a JSONL file as they finish (resumable), report rendered from whatever is done.',
    )
    .option('--models <list>', `models (default ${d.models.join(',')})`, listOf('--models', PAPER_MODELS))
    .option(
      '--methods <list>',
      `methods (default all: ${d.methods.join(',')})`,
      listOf('--methods', PAPER_METHODS),
    )
    .option(
      '--sparsities <list>',
      `filter/neuron sparsities (default ${d.sparsities.join(',')})`,
      parseSparsities,
    )
    .option('--seeds <list>', `seeds (default ${d.seeds.join(',')})`, parseSeeds)
    .option(
      '--search-sparsity <x>',
      `level of the lambda search (default ${d.searchSparsity})`,
      (v: string) => {
        const [s] = parseSparsities(v);
        return s as number;
      },
    )
    .option(
      '--search-seed <n>',
      `seed of the lambda search, also when --seeds does not list it (default ${d.searchSeed})`,
      nonNegativeInt('--search-seed'),
    )
    .option('--results <file>', `JSONL results file, the resume state (default ${d.results})`)
    .option('--resume', 'continue the results file: skip every job it holds')
    .option('--report-only', 'only render the report and summary from the results file')
    .option('--out <file>', `Markdown report (default ${d.out})`)
    .option('--summary <file>', `JSON summary (default ${d.summary})`)
    .option('--cache-dir <dir>', `dense checkpoints reused by magnitude pruning (default ${d.cacheDir})`)
    .option('--data-dir <dir>', 'directory with the Fashion-MNIST IDX files')
    .option(
      '--train-limit <n>',
      'training images (smoke runs only; default all 55,000)',
      positiveInt('--train-limit'),
    )
    .option(
      '--test-limit <n>',
      'test images (smoke runs only; default all 10,000)',
      positiveInt('--test-limit'),
    )
    .option('--main-epochs <n>', 'override the main-phase epochs (smoke runs)', positiveInt('--main-epochs'))
    .option(
      '--prox-epochs <n>',
      'override the prox-SGD epochs before HSPG (smoke runs)',
      positiveInt('--prox-epochs'),
    )
    .option(
      '--finetune-epochs <n>',
      'override the fine-tune epochs (smoke runs)',
      nonNegativeInt('--finetune-epochs'),
    )
    .option(
      '--latency-runs <n>',
      `timed latency runs per model (default ${d.latencyRuns})`,
      positiveInt('--latency-runs'),
    )
    .option(
      '--latency-batch <n>',
      `latency batch size (default ${d.latencyBatch})`,
      positiveInt('--latency-batch'),
    )
    .option('--max-jobs <n>', 'stop after this many jobs', positiveInt('--max-jobs'))
    .option('--no-progress', 'no progress bars')
    .exitOverride()
    .configureOutput({ writeOut: () => {}, writeErr: () => {} });
}

/** Parses `argv` (without node and the script). Throws commander errors naming the option. */
export function parsePaperArgs(argv: string[]): PaperArgs {
  const program = paperProgram();
  program.parse(argv, { from: 'user' });
  const o = program.opts<Record<string, unknown>>();
  const out = { ...PAPER_DEFAULTS } as PaperArgs;
  for (const key of Object.keys(PAPER_DEFAULTS) as (keyof PaperArgs)[]) {
    if (o[key] !== undefined) (out as unknown as Record<string, unknown>)[key] = o[key];
  }
  out.resume = o.resume === true;
  out.reportOnly = o.reportOnly === true;
  out.progress = o.progress !== false;
  if (o.searchSparsity === undefined && !out.sparsities.includes(out.searchSparsity)) {
    out.searchSparsity = out.sparsities[out.sparsities.length - 1] as number;
  }
  if (!out.sparsities.includes(out.searchSparsity)) {
    throw new InvalidArgumentError(
      `--search-sparsity ${out.searchSparsity} must be one of --sparsities (${out.sparsities.join(',')}).`,
    );
  }
  return out;
}
