/**
 * The full-scale grid of `bench:paper`: which (model, method, level, seed) cells exist, the lambda search
 * trials on the validation split, and the order they run in (the most informative first). Pure.
 */

/** Models of the experiment. */
export const PAPER_MODELS = ['lenet5-caffe', 'vgg-small-bn'] as const;
export type PaperModel = (typeof PAPER_MODELS)[number];

/** Compared methods, in table order. */
export const PAPER_METHODS = [
  'dense',
  'wgsef-auto-hspg',
  'wgsef-auto-prox',
  'wgsef-auto-scales-hspg',
  'wgsef-hspg',
  'wgsef-prox',
  'group-lasso-hspg',
  'group-lasso-prox',
  'magnitude',
  'magnitude-scales',
  'scratch',
] as const;
export type PaperMethod = (typeof PAPER_METHODS)[number];

/** Methods that measure BatchNorm-followed filters by their BN gamma/beta (`batchNorm: 'scales'`). */
export const SCALES_METHODS: readonly PaperMethod[] = ['wgsef-auto-scales-hspg', 'magnitude-scales'];

/** Models with BatchNorm-followed filters. */
const BATCHNORM_MODELS: readonly PaperModel[] = ['vgg-small-bn'];

/** Whether `method` is part of `model`'s grid: the `'scales'` methods only on models with BatchNorm, where
 *  they differ from their plain counterparts. */
export function methodApplies(model: PaperModel, method: PaperMethod): boolean {
  return !SCALES_METHODS.includes(method) || BATCHNORM_MODELS.includes(model);
}

/** The order jobs run in: the cheap control first (the small net from scratch), dense and magnitude pruning of it, then one trial of each method before any second trial. */
export const RUN_ORDER: readonly PaperMethod[] = [
  'scratch',
  'dense',
  'magnitude',
  'magnitude-scales',
  'wgsef-hspg',
  'group-lasso-hspg',
  'wgsef-auto-hspg',
  'wgsef-auto-scales-hspg',
  'wgsef-prox',
  'group-lasso-prox',
  'wgsef-auto-prox',
];

/** Human-readable method names. */
export const METHOD_LABELS: Record<PaperMethod, string> = {
  dense: 'dense (SGD)',
  'wgsef-auto-hspg': "WGSEF lambda 'auto' then HSPG",
  'wgsef-auto-prox': "WGSEF lambda 'auto' prox-SGD",
  'wgsef-auto-scales-hspg': "WGSEF lambda 'auto', BN filters by gamma/beta, then HSPG",
  'wgsef-hspg': 'WGSEF (best lambda) then HSPG',
  'wgsef-prox': 'WGSEF (best lambda) prox-SGD',
  'group-lasso-hspg': 'group lasso (best lambda) then HSPG',
  'group-lasso-prox': 'group lasso (best lambda) prox-SGD',
  magnitude: 'magnitude (L2) pruning of dense',
  'magnitude-scales': 'magnitude pruning of dense, BN filters by gamma/beta',
  scratch: 'pruned architecture from scratch',
};

/** Methods with a numeric lambda chosen on the validation split. */
export const SEARCHED_METHODS: readonly PaperMethod[] = [
  'wgsef-hspg',
  'wgsef-prox',
  'group-lasso-hspg',
  'group-lasso-prox',
];

/** True for the methods with a numeric lambda searched on validation. */
export function isSearched(method: PaperMethod): boolean {
  return SEARCHED_METHODS.includes(method);
}

/** One unit of work: a training run (a cell or a search trial) or a latency measurement of one level. */
export type Job =
  | {
      kind: 'run';
      model: PaperModel;
      method: PaperMethod;
      /** Fraction of filters/neurons removed per layer; 0 for dense. */
      sparsity: number;
      seed: number;
      /** Numeric lambda of a searched method; null otherwise. */
      lambda: number | null;
    }
  | { kind: 'latency'; model: PaperModel; sparsity: number };

/** A stable key of a job (the resume identity). */
export function jobKey(job: Job): string {
  if (job.kind === 'latency') return `latency|${job.model}|${job.sparsity}`;
  return `run|${job.model}|${job.method}|${job.sparsity}|${job.seed}|${job.lambda ?? '-'}`;
}

/** What the plan needs to know. */
export interface GridSpec {
  models: readonly PaperModel[];
  methods: readonly PaperMethod[];
  sparsities: readonly number[];
  seeds: readonly number[];
  /** Lambda candidates per searched method (the same count for each: the equal search budget). */
  lambdaGrid: Record<string, readonly number[]>;
  /** The level and seed where lambdas are searched (on validation). */
  searchAt: { sparsity: number; seed: number };
  /** Methods that can run in this build (e.g. 'auto' only once the library has it). */
  available: (method: PaperMethod) => boolean;
}

/** A finished training run, as far as planning needs it. */
export interface DoneRun {
  model: PaperModel;
  method: PaperMethod;
  sparsity: number;
  seed: number;
  lambda: number | null;
  valAccuracy: number;
}

/**
 * The lambda chosen for `method` on `model`: the candidate with the best validation accuracy at the search
 * point, once every candidate has run; undefined while the search is incomplete.
 */
export function chosenLambda(
  spec: GridSpec,
  done: readonly DoneRun[],
  model: PaperModel,
  method: PaperMethod,
): number | undefined {
  const grid = spec.lambdaGrid[method] ?? [];
  let best: DoneRun | undefined;
  for (const lambda of grid) {
    const r = done.find(
      (d) =>
        d.model === model &&
        d.method === method &&
        d.lambda === lambda &&
        d.sparsity === spec.searchAt.sparsity &&
        d.seed === spec.searchAt.seed,
    );
    if (!r) return undefined;
    if (!best || r.valAccuracy > best.valAccuracy) best = r;
  }
  return best?.lambda ?? undefined;
}

/** The search trials of one searched method, the middle candidate first (the most likely winner). */
function searchTrials(spec: GridSpec, model: PaperModel, method: PaperMethod): Job[][] {
  const grid = [...(spec.lambdaGrid[method] ?? [])];
  const mid = Math.floor(grid.length / 2);
  const ordered = [grid[mid], ...grid.filter((_, i) => i !== mid)] as number[];
  return ordered.map((lambda) => [
    { kind: 'run', model, method, sparsity: spec.searchAt.sparsity, seed: spec.searchAt.seed, lambda },
  ]);
}

/**
 * Every job in run order, with the lambdas of searched methods resolved from `done` (cells of a method
 * whose search is incomplete are left out until it completes). Order: per model, the search point
 * (the level and seed) for every method, trials interleaved round-robin so each method gets its first
 * trial before any gets its second; the latency of that level; then the other levels at the search seed;
 * then the other seeds, level by level.
 */
export function planJobs(spec: GridSpec, done: readonly DoneRun[]): Job[] {
  const out: Job[] = [];
  const allMethods = RUN_ORDER.filter((m) => spec.methods.includes(m) && spec.available(m));
  const levels = [spec.searchAt.sparsity, ...spec.sparsities.filter((s) => s !== spec.searchAt.sparsity)];
  // the search seed first when it is one of the seeds; its trials run in any case (they choose the lambdas)
  const withSearchSeed = spec.seeds.includes(spec.searchAt.seed);
  const seeds = withSearchSeed
    ? [spec.searchAt.seed, ...spec.seeds.filter((s) => s !== spec.searchAt.seed)]
    : [...spec.seeds];
  for (const model of spec.models) {
    const methods = allMethods.filter((m) => methodApplies(model, m));
    const cell = (method: PaperMethod, sparsity: number, seed: number): Job | undefined => {
      const s = method === 'dense' ? 0 : sparsity;
      if (!isSearched(method)) return { kind: 'run', model, method, sparsity: s, seed, lambda: null };
      const lambda = chosenLambda(spec, done, model, method);
      return lambda === undefined ? undefined : { kind: 'run', model, method, sparsity: s, seed, lambda };
    };
    // the search point: unsearched methods' cells and every method's trials, round-robin
    out.push({ kind: 'latency', model, sparsity: spec.searchAt.sparsity });
    const queues: Job[][][] = methods.map((m) =>
      isSearched(m)
        ? searchTrials(spec, model, m)
        : withSearchSeed
          ? [[cell(m, spec.searchAt.sparsity, spec.searchAt.seed) as Job]]
          : [],
    );
    for (let round = 0; queues.some((q) => q.length > round); round++) {
      for (const q of queues) if (q[round]) out.push(...(q[round] as Job[]));
    }
    // then the other levels at the search seed, then the other seeds at every level
    for (const [si, seed] of seeds.entries()) {
      for (const [li, level] of levels.entries()) {
        if (withSearchSeed && si === 0 && li === 0) continue;
        if (si === 0 && li > 0) out.push({ kind: 'latency', model, sparsity: level });
        for (const m of methods) {
          if (m === 'dense' && li > 0) continue;
          const j = cell(m, level, seed);
          if (j) out.push(j);
        }
      }
    }
  }
  const seen = new Set<string>();
  return out.filter((j) => {
    const k = jobKey(j);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
