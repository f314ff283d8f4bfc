/**
 * ProxCallback: applies `prox_{lr_t * lambda_t * R}` to the regularized groups after every batch (the
 * paper's Algorithm 2: an optimizer step on the data loss, then the prox), logs group sparsity into the
 * epoch logs and keeps a per-batch history for plots.
 *
 * Per batch it costs one reduction per regularized variable, ONE download of the m group norms, host math
 * on m numbers and one multiply per regularized element. The statistics and the value of the penalty are
 * computed from the prox's own norms, and only when something reads them (a history record, the epoch logs,
 * the floor warning of scope 'global').
 *
 * reference: docs/concepts/k-level-sparsity.md (Algorithm 2).
 */
import type { FinalizeResult, ScalarOrSchedule, SparsityStats } from '@klevel/wgsef';
import { checkScalarOrSchedule, type KlevelRegularizer } from '@klevel/wgsef/extend';
import { isGroupRegularizer } from '@klevel/wgsef';
import * as tfl from '@tensorflow/tfjs-layers';
import { fitBudget } from './fit-plan';
import { optimizerIterations, resolveLearningRate } from './learning-rate';

/** Options of {@link proxCallback}. */
export interface ProxCallbackArgs {
  /** lr_t for the prox: a number or `(step) => number`. Defaults to the optimizer's current `learningRate`,
   *  read every batch. */
  learningRate?: ScalarOrSchedule;
  /** Run the exact-k `finalize()` when training ends. Defaults to false. */
  finalizeOnEnd?: boolean;
  /** Record a history entry every this many batches (>= 1). Defaults to 1. */
  logEvery?: number;
}

/** One history record. */
export interface ProxHistoryEntry {
  /** 0-based global step (the optimizer's iteration count minus one, when it has one). */
  step: number;
  epoch: number;
  batch: number;
  /** lr_t used by the prox (undefined when the callback only monitors). */
  learningRate: number | undefined;
  /** `lambda_t * R` after the step. */
  value: number;
  nonzero: number;
  /** Fraction of zero groups. */
  sparsity: number;
  /** Nonzero groups per layer. */
  layers: Record<string, number>;
  /** lambda of every budget unit (`reg.binding.units`: the layers, or one global unit) for this step. */
  lambdas?: number[];
  /** Set on the record written by finalize. */
  finalized?: boolean;
}

/**
 * The protocol with optimizers that apply the regularizer themselves (@klevel/hspg): the brand, the
 * regularizer they apply, and an epoch setter this callback calls on every epoch begin.
 */
interface ProxApplyingOptimizer {
  klevelAppliesProx: true;
  regularizer?: KlevelRegularizer;
  setEpoch?(epoch: number): void;
}

function appliesProx(opt: unknown): opt is ProxApplyingOptimizer {
  return opt !== null && typeof opt === 'object' && (opt as ProxApplyingOptimizer).klevelAppliesProx === true;
}

const MIXING_HELP =
  "tfjs wraps every element of 'callbacks' as a plain object when the FIRST element is a plain object, which strips the model from class-based callbacks. Wrap plain objects with new tfl.CustomCallback({...}) (or put proxCallback(reg) first and wrap the others).";

/** The model of a ProxCallback hook, or a clear error when tfjs called the hook on a wrapper. */
function requireModel(self: unknown, hook: string): tfl.LayersModel {
  if (!(self instanceof ProxCallback) || !self.model) {
    throw new Error(`ProxCallback.${hook}: no model is set. ${MIXING_HELP}`);
  }
  return self.model;
}

/**
 * A tfjs-layers `Callback` that applies the regularizer's prox after every batch.
 *
 * - `'prox'` regularizers: applies `prox_{lr_t lambda_t R}` after each batch, with lr_t read from the
 *   optimizer (or the `learningRate` option) each batch;
 * - `'subgradient'` regularizers, or an optimizer that applies the prox itself (the HSPG optimizer): only
 *   monitors (statistics and history), and forwards the epoch to the optimizer.
 *
 * Epoch logs get `<reg.name>` (lambda R, e.g. `wgsef`), `group_sparsity`, `nonzero_groups`,
 * `group_sparsity/<layer>` and `lambda/<unit>` (the lambda of each layer, or `lambda/global`; with
 * `lambda: 'auto'` the controller's choice); `history` holds per-batch records.
 *
 * On train begin it tells the regularizer the fit's step budget (epochs x steps per epoch, from the fit's
 * params), which `lambda: 'auto'` and a polynomial sparsity schedule use as their default target step.
 */
export class ProxCallback extends tfl.Callback {
  readonly regularizer: KlevelRegularizer;
  readonly learningRate: ScalarOrSchedule | undefined;
  readonly finalizeOnEnd: boolean;
  readonly logEvery: number;
  /** Per-batch records (every `logEvery` batches) plus one per finalize. */
  readonly history: ProxHistoryEntry[] = [];
  /** The result of the last finalize (on train end or on demand). */
  finalizeResult: FinalizeResult | undefined;

  private epoch = 0;
  private ownStep = 0;
  private warnedAtFloor = new Set<string>();
  private monitorOnly = false;
  private lastStep = 0;
  /** The group norms after the last batch (or finalize), with what was derived from them so far. */
  private last: { norms: Float64Array; step: number; stats?: SparsityStats; value?: number } | undefined;

  constructor(regularizer: KlevelRegularizer, args: ProxCallbackArgs = {}) {
    super();
    if (!isGroupRegularizer(regularizer)) {
      throw new TypeError(
        `proxCallback: expected a klevel regularizer (wgsef(...) or groupLasso(...) from @klevel/wgsef), got ${typeof regularizer}.`,
      );
    }
    if (args === null || typeof args !== 'object') {
      throw new TypeError(`proxCallback: options must be an object, got ${typeof args}.`);
    }
    const known = new Set(['learningRate', 'finalizeOnEnd', 'logEvery']);
    const unknown = Object.keys(args).filter((k) => !known.has(k));
    if (unknown.length)
      throw new TypeError(
        `proxCallback: unknown option(s) ${unknown.join(', ')}; known: ${[...known].join(', ')}.`,
      );
    const lr =
      args.learningRate === undefined
        ? undefined
        : checkScalarOrSchedule('proxCallback', 'learningRate', args.learningRate);
    const every = args.logEvery ?? 1;
    if (!Number.isInteger(every) || every < 1) {
      throw new RangeError(`proxCallback: logEvery must be an integer >= 1, got ${String(every)}.`);
    }
    this.regularizer = regularizer;
    this.learningRate = lr;
    this.finalizeOnEnd = args.finalizeOnEnd ?? false;
    this.logEvery = every;
  }

  /** True when the callback only monitors (subgradient mode, or an optimizer that applies the prox). */
  get monitoring(): boolean {
    return this.monitorOnly;
  }

  /** Statistics after the last batch (or finalize); undefined before the first. */
  get lastStats(): SparsityStats | undefined {
    const last = this.last;
    if (last) last.stats ??= this.regularizer.stats(last.norms);
    return last?.stats;
  }

  /** `lambda_t * R` after the last batch (the current weights before the first). */
  private lastValue(): number {
    this.last ??= { norms: this.regularizer.binding.groupNorms(), step: this.lastStep };
    const last = this.last;
    last.value ??= this.regularizer.value({ norms: last.norms, step: last.step });
    return last.value;
  }

  override async onTrainBegin(): Promise<void> {
    const model = requireModel(this, 'onTrainBegin');
    this.regularizer.attach(model);
    const opt = model.optimizer as unknown;
    if (appliesProx(opt) && opt.regularizer && opt.regularizer !== this.regularizer) {
      throw new Error(
        'proxCallback: the model optimizer applies a different regularizer than this callback; pass the same regularizer to both (or drop the callback).',
      );
    }
    this.monitorOnly = this.regularizer.options.gradient === 'subgradient' || appliesProx(opt);
    if (!this.monitorOnly) resolveLearningRate(this.learningRate, model.optimizer, 0); // fail before the first batch
    // the step budget of this fit, for lambda: 'auto' and sparsity schedules (epochs x steps per epoch)
    const params = (this as { params?: Record<string, unknown> }).params;
    this.regularizer.beginFit?.(fitBudget(params, optimizerIterations(model.optimizer) ?? 0));
  }

  override async onEpochBegin(epoch: number): Promise<void> {
    this.epoch = epoch;
    const opt = requireModel(this, 'onEpochBegin').optimizer as unknown;
    if (appliesProx(opt)) opt.setEpoch?.(epoch);
  }

  override async onBatchEnd(batch: number): Promise<void> {
    const model = requireModel(this, 'onBatchEnd');
    const it = optimizerIterations(model.optimizer);
    const step = it !== undefined && it > 0 ? it - 1 : this.ownStep;
    this.lastStep = step;
    this.ownStep++;
    const record = (step + 1) % this.logEvery === 0;
    let lr: number | undefined;
    const reg = this.regularizer;
    if (this.monitorOnly) {
      // an optimizer that applies the prox checks the weights itself; in subgradient mode this is the check
      if (!record && appliesProx(model.optimizer)) return;
      const norms = reg.binding.groupNorms();
      reg.checkFinite(norms, `after step ${step} (epoch ${this.epoch}, batch ${batch})`);
      this.last = { norms, step };
    } else {
      lr = resolveLearningRate(this.learningRate, model.optimizer, step);
      this.last = { norms: reg.prox(lr, { step }).norms, step };
    }
    // only scope 'global' has floors to warn about
    if (reg.options.scope === 'global') this.warnAtFloor(this.lastStats as SparsityStats);
    if (record) this.push(step, batch, lr, this.lastStats as SparsityStats, this.lastValue());
  }

  override async onEpochEnd(_epoch: number, logs?: tfl.Logs): Promise<void> {
    if (!logs) return;
    logs[this.regularizer.name] = this.lastValue();
    const stats = this.lastStats as SparsityStats;
    logs.group_sparsity = stats.total.sparsity;
    logs.nonzero_groups = stats.total.nonzero;
    if (this.regularizer.options.scope === 'global') logs.layers_at_floor = stats.atFloor.length;
    for (const [layer, s] of Object.entries(stats.layers)) logs[`group_sparsity/${layer}`] = s.sparsity;
    const lambdas = this.regularizer.lambdas(this.lastStep);
    this.regularizer.binding.units.forEach((u, i) => {
      logs[`lambda/${u.name}`] = lambdas[i] as number;
    });
  }

  override async onTrainEnd(): Promise<void> {
    if (this.finalizeOnEnd) this.finalize();
  }

  /**
   * Runs the regularizer's exact-k step now (keep exactly `keep` groups) and records it in the history.
   * @returns how many groups were nonzero before and after.
   */
  finalize(): FinalizeResult {
    requireModel(this, 'finalize');
    const res = this.regularizer.finalize();
    this.finalizeResult = res;
    const step = Math.max(0, this.ownStep - 1);
    // the binding remembers the norms finalize wrote: reading them downloads nothing
    this.last = { norms: this.regularizer.binding.groupNorms(), step, stats: res.stats };
    this.push(step, -1, undefined, res.stats, this.lastValue(), true);
    return res;
  }

  /** Prints each layer's floor warning once per callback (scope 'global'). */
  private warnAtFloor(stats: SparsityStats): void {
    stats.atFloor.forEach((layer, i) => {
      if (this.warnedAtFloor.has(layer)) return;
      this.warnedAtFloor.add(layer);
      console.warn(`proxCallback: ${stats.warnings[i]}`);
    });
  }

  private push(
    step: number,
    batch: number,
    learningRate: number | undefined,
    stats: SparsityStats,
    value: number,
    finalized = false,
  ): void {
    const layers: Record<string, number> = {};
    for (const [name, s] of Object.entries(stats.layers)) layers[name] = s.nonzero;
    const entry: ProxHistoryEntry = {
      step,
      epoch: this.epoch,
      batch,
      learningRate,
      value,
      nonzero: stats.total.nonzero,
      sparsity: stats.total.sparsity,
      layers,
      lambdas: Array.from(this.regularizer.lambdas(step)),
    };
    if (finalized) entry.finalized = true;
    this.history.push(entry);
  }
}

/**
 * Creates a {@link ProxCallback}: pass it to `model.fit({ callbacks: [...] })`.
 * @param regularizer A regularizer from `wgsef()` or `groupLasso()` (attached to the model on train begin).
 * @param args.learningRate lr_t for the prox. Defaults to the optimizer's `learningRate`, read each batch.
 * @param args.finalizeOnEnd Run the exact-k step at the end of `fit`. Defaults to false.
 * @param args.logEvery Record history every this many batches. Defaults to 1.
 * @example
 * const reg = wgsef({ groups: 'filters', keep: { fraction: 0.3 }, lambda: 1e-2 });
 * model.compile({ optimizer: tf.train.sgd(0.01), loss: 'categoricalCrossentropy' });
 * const prox = proxCallback(reg, { finalizeOnEnd: true });
 * const h = await model.fit(x, y, { epochs: 5, callbacks: [prox] });
 * h.history.group_sparsity; // per epoch
 * prox.history;             // per batch
 */
export function proxCallback(regularizer: KlevelRegularizer, args: ProxCallbackArgs = {}): ProxCallback {
  return new ProxCallback(regularizer, args);
}
