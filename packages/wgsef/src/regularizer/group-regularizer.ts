/**
 * The model-level group regularizer: options, a {@link ModelBinding} to one model, and a pure
 * {@link GroupPenalty} on its group norms. It offers what training code needs (the
 * {@link KlevelRegularizer} protocol): prox on the device, exact-k finalize, value and sparsity.
 * `WgsefRegularizer` and `GroupLassoRegularizer` only choose the penalty.
 *
 * Device cost of one prox: one reduction per regularized variable, ONE download of the m group norms,
 * host math on m numbers, one multiply per regularized element.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { enforceKeepFloor } from './auto-lambda';
import { bindModel, type ModelBinding } from './binding';
import { type KeepBudget, selectKeep } from './budget';
import { assertFiniteNorms } from './finite';
import type { GroupLayout } from './layout';
import { type LossOrMetricFn, regularizedLoss, regularizerMetric } from './loss';
import { type GroupRegularizerArgs, type ResolvedArgs, resolveArgs } from './options';
import type { GroupPenalty } from './penalty';
import type { FinalizeResult, KlevelRegularizer, ProxResult } from './protocol';
import { valueAt } from './scalar-or-schedule';
import { serializationProblem } from './serialize';
import { countNonzero, type SparsityStats, sparsityStats, type UnitStats, unitStats } from './stats';
import { type FitPlan, TrainingPlan } from './training-plan';
import { unitProx, withUnitKs } from './unit-prox';

function checkRate(fn: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
    throw new RangeError(`${fn}.prox: ${name} must be a finite number >= 0, got ${String(v)}.`);
  }
  return v;
}

export abstract class GroupRegularizer extends tf.serialization.Serializable implements KlevelRegularizer {
  /** Brand checked by `isGroupRegularizer` (works across duplicate package copies). */
  readonly klevelGroupRegularizer = true;
  /** The validated options. */
  readonly options: ResolvedArgs;
  /** Key of the value in training logs, e.g. `'wgsef'`. */
  abstract readonly name: string;
  /** The public factory name used in messages. */
  protected abstract readonly fn: string;

  private binding_: ModelBinding | undefined;
  private penalty_: GroupPenalty | undefined;
  private unitLambdas: Float64Array | undefined;
  private plan_: TrainingPlan | undefined;
  private scheduled: { key: string; penalty: GroupPenalty } | undefined;

  protected constructor(fn: string, args: GroupRegularizerArgs, keepRequired: boolean) {
    super();
    this.options = resolveArgs(fn, args, keepRequired);
  }

  /** True when the prox must keep every layer at its k (WGSEF: the keep floor after every prox). */
  protected readonly keepsFloor: boolean = false;

  /** The penalty on the group norms of a binding (the only thing a subclass supplies). */
  protected abstract makePenalty(binding: ModelBinding): GroupPenalty;

  /**
   * Binds the regularizer to `model`: builds the groups, applies include/exclude, resolves the weights and
   * the keep budget. Idempotent for the same model; attaching to another model (e.g. after
   * `tfl.loadLayersModel`) rebinds. The prox callback and the HSPG optimizer call it for you.
   * @returns this
   */
  attach(model: tfl.LayersModel): this {
    if (this.binding_ && model === this.binding_.model) return this;
    const binding = bindModel(this.fn, this.options, model);
    this.penalty_ = this.makePenalty(binding);
    this.binding_ = binding;
    this.unitLambdas = undefined;
    this.scheduled = undefined;
    this.plan_ = new TrainingPlan(
      this.fn,
      this.options.plan,
      binding.units,
      binding.layout.weights,
      unitProx,
      (step) => this.lambdaAt(step),
    );
    return this;
  }

  /** True once `attach(model)` succeeded. */
  get isAttached(): boolean {
    return this.binding_ !== undefined;
  }

  /** The groups, weights, budget and budget units of the attached model. */
  get binding(): ModelBinding {
    if (!this.binding_) {
      throw new Error(
        `${this.fn}: this needs a model; call reg.attach(model) first (proxCallback(reg) and the HSPG optimizer attach it when training starts; after loadLayersModel, attach the loaded model).`,
      );
    }
    return this.binding_;
  }

  private penalty(): GroupPenalty {
    this.binding; // throws with the attach advice
    return this.penalty_ as GroupPenalty;
  }

  /** The regularized groups of the attached model (`binding.layout`). */
  get layout(): GroupLayout {
    return this.binding.layout;
  }

  /** The resolved keep budget (`binding.budget`; undefined for a group lasso without `keep`). */
  get budget(): KeepBudget | undefined {
    return this.binding.budget;
  }

  /** The user's lambda at `step` (a schedule is evaluated and checked). With `lambda: 'auto'` there is one
   *  lambda per unit: read {@link GroupRegularizer.lambdas}. */
  lambdaAt(step = 0): number {
    if (this.options.lambda === 'auto') {
      throw new Error(
        `${this.fn}.lambdaAt: lambda is 'auto', one value per budget unit chosen during training; read reg.lambdas(step) instead.`,
      );
    }
    return valueAt(this.fn, 'lambda', this.options.lambda, step);
  }

  /** lambda_u of every budget unit (`binding.units`) at `step`: the values set by `setLambdas`, else the
   *  controller's last values (`lambda: 'auto'`), else the user's lambda. */
  lambdas(step = 0): Float64Array {
    this.binding; // throws with the attach advice
    return this.unitLambdas
      ? Float64Array.from(this.unitLambdas)
      : (this.plan_ as TrainingPlan).lambdasNow(step);
  }

  /** Per-unit lambdas and k over training (`lambda: 'auto'`, the sparsity schedule); needs `attach`. */
  get plan(): TrainingPlan {
    this.binding; // throws with the attach advice
    return this.plan_ as TrainingPlan;
  }

  /** The `'auto'` controller's state per unit (lambda, rho, its target), or undefined before it ran. */
  get autoLambdaState(): TrainingPlan['autoState'] {
    return this.plan_?.autoState;
  }

  /**
   * Tells the training plan the step budget of a fit (the prox callback calls it on train begin with the
   * fit's epochs x steps per epoch): `lambda: 'auto'` and a polynomial schedule end at the target step.
   */
  beginFit(fit: FitPlan): void {
    this.plan.beginFit(fit);
  }

  /** The penalty with the k of every unit at `step` (a polynomial schedule moves k from m to the final k). */
  private penaltyAt(step: number): GroupPenalty {
    const ks = this.plan.ksAt(step);
    const b = this.binding;
    if (b.units.every((u, i) => u.k === ks[i])) return this.penalty();
    const key = ks.join(',');
    if (this.scheduled?.key !== key) this.scheduled = { key, penalty: this.makePenalty(withUnitKs(b, ks)) };
    return this.scheduled.penalty;
  }

  /**
   * Sets lambda_u per budget unit (one per layer in scope 'layer', one in scope 'global'), e.g. from a
   * controller between batches; `undefined` goes back to the user's lambda. Reset by `attach` to a new model.
   */
  setLambdas(values: ArrayLike<number> | undefined): void {
    if (values === undefined) {
      this.unitLambdas = undefined;
      return;
    }
    const n = this.binding.units.length;
    if (values.length !== n) {
      throw new RangeError(
        `${this.fn}.setLambdas: expected ${n} values (units ${this.binding.units.map((u) => u.name).join(', ')}), got ${values.length}.`,
      );
    }
    const v = Float64Array.from(values);
    v.forEach((x, u) => {
      checkRate(`${this.fn}.setLambdas`, `lambda of unit '${this.binding.units[u]?.name}'`, x);
    });
    this.unitLambdas = v;
  }

  /** Sparsity per layer and total, from given norms or the current weights. */
  stats(norms: Float64Array = this.binding.groupNorms()): SparsityStats {
    const { layout, budget, floors } = this.binding;
    const floor = budget?.scope === 'global' ? { total: budget.total, floors } : undefined;
    return sparsityStats(norms, layout, floor);
  }

  /** `lambda_t * R` of the current weights (or of given norms). */
  value(options: { step?: number; norms?: Float64Array } = {}): number {
    const penalty = this.penalty();
    return penalty.value(options.norms ?? this.binding.groupNorms(), this.lambdas(options.step ?? 0));
  }

  /** New group norms after `prox_{lr lambda_t R}` (host math only; no tensors). */
  proxOfNorms(norms: Float64Array, learningRate: number, step = 0): Float64Array {
    checkRate(this.fn, 'learningRate', learningRate);
    return this.penaltyAt(step).prox(
      norms,
      this.lambdas(step).map((l) => learningRate * l),
    );
  }

  /** Factors `f_j` such that `lambda_t grad R` on group j is `f_j x_{G_j}` (0 on zero groups). */
  gradientFactors(norms: Float64Array, step = 0): Float64Array {
    return this.penalty().gradientFactors(norms, this.lambdas(step));
  }

  /** Throws, naming the layers, when a group norm is NaN or Infinity: training diverged. */
  checkFinite(norms: ArrayLike<number>, when: string): void {
    assertFiniteNorms(this.fn, norms, this.binding.layout, when);
  }

  /**
   * Applies `prox_{lr * lambda_t * R}` to the regularized weights, on the device.
   * @param learningRate The step size of the gradient step just taken (lr_t).
   * @param options.step Training step for a lambda schedule. Defaults to 0.
   * @throws when a group norm is NaN or Infinity (the layer is named): training diverged.
   */
  prox(learningRate: number, options: { step?: number } = {}): ProxResult {
    const step = options.step ?? 0;
    const b = this.binding;
    const norms = b.groupNorms();
    assertFiniteNorms(`${this.fn}.prox`, norms, b.layout, `at step ${step}`);
    checkRate(this.fn, 'learningRate', learningRate);
    const planned = this.plan.at(norms, learningRate, step);
    if (!planned.active) {
      // before the schedule's beginStep: no prox
      return this.proxResult(learningRate, new Float64Array(b.units.length), norms);
    }
    const lambdas = this.unitLambdas ? Float64Array.from(this.unitLambdas) : planned.lambdas;
    const steps = lambdas.map((l) => learningRate * l);
    const after = this.penaltyAt(step).prox(norms, steps);
    if (this.keepsFloor) {
      const budget = b.budget;
      const floor = budget?.scope === 'layer' ? budget.perLayer : b.floors;
      enforceKeepFloor(norms, after, b.layout.layerGroups, floor, b.layout.weights, (j) => {
        return steps[b.unitOf[j] as number] as number;
      });
    }
    b.scaleGroups(
      after.map((t, j) => ((norms[j] as number) > 0 ? t / (norms[j] as number) : 0)),
      after,
    );
    return this.proxResult(learningRate, lambdas, after);
  }

  /**
   * What a prox did. The statistics are computed from `norms` when first read: the prox itself needs only
   * the norms, and per-batch callers (the prox callback, HSPG) read the statistics at most at log time.
   */
  private proxResult(learningRate: number, lambdas: Float64Array, norms: Float64Array): ProxResult {
    const reg = this;
    let stats: SparsityStats | undefined;
    let units: UnitStats[] | undefined;
    return {
      learningRate,
      lambdas,
      norms,
      get stats() {
        stats ??= reg.stats(norms);
        return stats;
      },
      get units() {
        units ??= unitStats(norms, reg.binding.layout.weights, reg.binding.units, lambdas);
        return units;
      },
    };
  }

  /**
   * The exact-k step: keeps the `keep` groups with the largest weighted norms (per layer, or globally with
   * the per-layer floor) and zeroes the others. The prox alone guarantees at least k nonzero groups; this
   * makes it exactly k (fewer only if fewer were nonzero).
   * @throws when a group norm is NaN or Infinity: a diverged model is not made sparse.
   */
  finalize(): FinalizeResult {
    const b = this.binding;
    if (!b.budget) {
      throw new Error(
        `${this.fn}.finalize: no keep budget; create the regularizer with keep: { count } or { fraction }.`,
      );
    }
    const norms = b.groupNorms();
    assertFiniteNorms(
      `${this.fn}.finalize`,
      norms,
      b.layout,
      '',
      'and finalize() refuses to choose groups from it',
    );
    const keep = selectKeep(norms, b.layout, b.budget);
    const after = norms.map((a, j) => (keep[j] ? a : 0));
    b.scaleGroups(Float64Array.from(keep), after);
    const stats = this.stats(after);
    return { nonzeroBefore: countNonzero(norms), nonzeroAfter: stats.total.nonzero, stats };
  }

  /**
   * The loss for `model.compile`: `base` unchanged in 'prox' mode (the value is only reported), or
   * `base + lambda_t * R` in 'subgradient' mode (attach the model before `fit`).
   * @example model.compile({ optimizer, loss: reg.loss('categoricalCrossentropy'), metrics: [reg.metric()] })
   */
  loss(base: string | LossOrMetricFn): string | LossOrMetricFn {
    return regularizedLoss(this, base);
  }

  /** A metric function logging `lambda_t * R` under the key `reg.name`. */
  metric(): LossOrMetricFn {
    return regularizerMetric(this);
  }

  /** Why this regularizer cannot be serialized (functions, ready partitions), or undefined. */
  serializationProblem(): string | undefined {
    return serializationProblem(this.options);
  }
}
