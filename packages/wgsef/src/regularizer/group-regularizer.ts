/**
 * The model-level group regularizer: binds a group partition to a tfjs-layers model and offers the
 * operations training code needs: value, prox (on the device), exact-k finalize, sparsity statistics and
 * the gradient used by HSPG. `WgsefRegularizer` and `GroupLassoRegularizer` supply the math on the m
 * group norms; everything here is shared.
 *
 * Device cost of one prox: one reduction per regularized variable, ONE download of the m group norms,
 * host math on m numbers, one multiply per regularized element.
 */
import type { GroupPartition, LayoutTerm } from '@klevel/groups';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { type KeepBudget, resolveBudget, selectKeep } from './budget';
import { allOnes, groupProductSums, scaleTerm } from './device';
import { buildLayout, checkPartition, filterPartition, type GroupLayout } from './layout';
import { type LossOrMetricFn, penaltyTensor, regularizedLoss, regularizerMetric } from './loss';
import { type GroupRegularizerArgs, type ResolvedArgs, resolveArgs, resolveScalar } from './options';
import { resolvePartition } from './partition';
import { serializationProblem } from './serialize';

/** Sparsity of one layer, or of the whole model. */
export interface GroupSparsity {
  /** Number of regularized groups. */
  groups: number;
  /** Groups with a nonzero norm. */
  nonzero: number;
  /** Groups that are exactly zero. */
  zero: number;
  /** `zero / groups`. */
  sparsity: number;
}

/** Group sparsity per layer (by owning layer name) and in total. */
export interface SparsityStats {
  total: GroupSparsity;
  layers: Record<string, GroupSparsity>;
}

/** What one prox application did. */
export interface ProxResult {
  /** The penalty passed to the prox, `lr * lambda_t`. */
  penalty: number;
  /** Group norms after the prox (exact: computed on the host, no second download). */
  norms: Float64Array;
  /** Sparsity after the prox. */
  stats: SparsityStats;
}

/** What `finalize()` did. */
export interface FinalizeResult {
  /** Nonzero groups before the exact-k step. */
  nonzeroBefore: number;
  /** Nonzero groups after it (equals the budget unless fewer groups were nonzero). */
  nonzeroAfter: number;
  /** Sparsity after it. */
  stats: SparsityStats;
}

/** The structural type the prox callback and HSPG use to recognise a klevel regularizer. */
export function isGroupRegularizer(x: unknown): x is GroupRegularizer {
  return (
    x instanceof GroupRegularizer ||
    (x !== null &&
      typeof x === 'object' &&
      (x as { klevelGroupRegularizer?: unknown }).klevelGroupRegularizer === true)
  );
}

/** A model variable as tfjs-layers exposes it (read/write of a live tf.Variable). */
interface BoundVariable {
  read(): tf.Variable;
  write(x: tf.Tensor): unknown;
}

export abstract class GroupRegularizer extends tf.serialization.Serializable {
  /** Brand checked by `isGroupRegularizer` (works across duplicate package copies). */
  readonly klevelGroupRegularizer = true;
  /** The validated options. */
  readonly options: ResolvedArgs;
  /** Key of the value in training logs, e.g. `'wgsef'`. */
  abstract readonly name: string;
  /** The public factory name used in messages. */
  protected abstract readonly fn: string;

  private model_: tfl.LayersModel | undefined;
  private layout_: GroupLayout | undefined;
  private budget_: KeepBudget | undefined;
  private vars_: BoundVariable[] = [];
  private freshNorms: Float64Array | undefined;
  private freshStamp = -1;

  protected constructor(fn: string, args: GroupRegularizerArgs, keepRequired: boolean) {
    super();
    this.options = resolveArgs(fn, args, keepRequired);
  }

  // ---------------------------------------------------------------- math supplied by the subclasses

  /** New group norms `t = prox_{penalty * R}(a)` on the m norms (host). `protectedMask` marks the floor. */
  protected abstract proxNorms(norms: Float64Array, penalty: number): Float64Array;
  /** `R` (without lambda) as a function of the group norms. */
  protected abstract valueOfNorms(norms: Float64Array): number;
  /** Factors `s_j` with `grad R` on group j equal to `s_j * x_{G_j}` (0 on zero groups). */
  protected abstract gradientFactorsOfNorms(norms: Float64Array): Float64Array;

  // ---------------------------------------------------------------- binding

  /**
   * Binds the regularizer to `model`: builds the groups, applies include/exclude, resolves the weights and
   * the keep budget. Idempotent for the same model; attaching to another model (e.g. after
   * `tfl.loadLayersModel`) rebinds. The prox callback and the HSPG optimizer call it for you when they can
   * see the model.
   * @returns this
   */
  attach(model: tfl.LayersModel): this {
    if (model === this.model_) return this;
    if (!model || !Array.isArray((model as { layers?: unknown }).layers)) {
      throw new TypeError(`${this.fn}.attach: expected a tfjs-layers LayersModel, got ${typeof model}.`);
    }
    const raw = resolvePartition(this.fn, this.options.groups, model);
    checkPartition(this.fn, raw);
    const partition = filterPartition(
      this.fn,
      raw,
      this.options.include,
      this.options.exclude,
      model.layers.map((l) => l.name),
      this.options.removableOnly,
    );
    if (partition.groups.length === 0 || partition.terms.length === 0) {
      throw new Error(
        `${this.fn}.attach: the model has no regularized groups for groups=${JSON.stringify(this.options.groups)}` +
          `${this.options.include ? ` include=${JSON.stringify(this.options.include)}` : ''}${
            this.options.exclude.length ? ` exclude=${JSON.stringify(this.options.exclude)}` : ''
          }; check the group type matches the model's layers.`,
      );
    }
    const layout = buildLayout(this.fn, partition, this.options.groupWeights);
    const byName = new Map<string, BoundVariable>();
    for (const w of model.weights) byName.set(w.name, w as unknown as BoundVariable);
    const vars = partition.terms.map((term) => {
      const v = byName.get(term.variableName);
      if (!v) {
        throw new Error(
          `${this.fn}.attach: the partition refers to variable '${term.variableName}', which is not a weight of model '${model.name}'. Was the partition built for another model?`,
        );
      }
      return v;
    });
    this.budget_ = this.options.keep
      ? resolveBudget(this.fn, this.options.keep, this.options.scope, this.options.minGroupsPerLayer, layout)
      : undefined;
    this.model_ = model;
    this.layout_ = layout;
    this.vars_ = vars;
    this.freshNorms = undefined;
    return this;
  }

  /** True once `attach(model)` succeeded. */
  get isAttached(): boolean {
    return this.model_ !== undefined;
  }

  /** The attached model (throws if not attached). */
  get model(): tfl.LayersModel {
    return this.requireAttached('model') && (this.model_ as tfl.LayersModel);
  }

  /** The regularized groups and where they lie in the variables (after include/exclude). */
  get layout(): GroupLayout {
    this.requireAttached('layout');
    return this.layout_ as GroupLayout;
  }

  /** The regularized partition (groups + LayoutTerms). */
  get partition(): GroupPartition {
    const { groups, terms } = this.layout;
    return { groups, terms };
  }

  /** The LayoutTerms of the regularized variables. */
  get terms(): LayoutTerm[] {
    return this.layout.terms;
  }

  /** Number of regularized groups m. */
  get numGroups(): number {
    return this.layout.groups.length;
  }

  /** The resolved keep budget (undefined for a group lasso without `keep`). */
  get budget(): KeepBudget | undefined {
    this.requireAttached('budget');
    return this.budget_;
  }

  /** The live variables of the terms, in term order (do not dispose them). */
  variables(): tf.Variable[] {
    this.requireAttached('variables');
    return this.vars_.map((v) => v.read());
  }

  /** lambda at `step` (a schedule is evaluated and checked). */
  lambdaAt(step = 0): number {
    return resolveScalar(this.fn, 'lambda', this.options.lambda, step);
  }

  // ---------------------------------------------------------------- norms and statistics

  /** Group norms `a_j` of the current weights (one download of m numbers). */
  groupNorms(): Float64Array {
    const sq = groupProductSums(this.layout.terms, this.numGroups, [
      this.variables().map((x) => [x, x] as const),
    ])[0] as Float64Array;
    return sq.map(Math.sqrt);
  }

  /** Sparsity per layer and total, from given norms or the current weights. */
  stats(norms: Float64Array = this.groupNorms()): SparsityStats {
    const layout = this.layout;
    const layers: Record<string, GroupSparsity> = {};
    let nonzero = 0;
    layout.layerGroups.forEach((members, l) => {
      let nz = 0;
      for (const j of members) if ((norms[j] as number) > 0) nz++;
      nonzero += nz;
      layers[layout.layerNames[l] as string] = sparsityOf(members.length, nz);
    });
    return { total: sparsityOf(layout.groups.length, nonzero), layers };
  }

  /** `lambda_t * R(x)` of the current weights (or of given norms). */
  value(options: { step?: number; norms?: Float64Array } = {}): number {
    return this.lambdaAt(options.step ?? 0) * this.valueOfNorms(options.norms ?? this.groupNorms());
  }

  /** `lambda_t * R` as a function of group norms (no download). */
  valueAt(norms: Float64Array, step = 0): number {
    return this.lambdaAt(step) * this.valueOfNorms(norms);
  }

  /** The attached model's optimizer iteration count (-1 when unknown): stamps recorded norms. */
  private iterationStamp(): number {
    const it = (this.model_?.optimizer as { iterations?: unknown } | undefined)?.iterations;
    return typeof it === 'number' && Number.isFinite(it) ? it : -1;
  }

  /** The group norms recorded by the last prox/finalize, if the optimizer has not stepped since and no
   *  read consumed them (used by `metric()` so the value costs no extra download when the prox callback
   *  runs). */
  takeFreshNorms(): Float64Array | undefined {
    const n = this.freshNorms;
    const valid = n !== undefined && this.freshStamp === this.iterationStamp();
    this.freshNorms = undefined;
    return valid ? n : undefined;
  }

  /** Records norms known to describe the current weights (optimizers that update them call this, after
   *  their iteration counter moved). */
  recordNorms(norms: Float64Array): void {
    this.freshNorms = norms;
    this.freshStamp = this.iterationStamp();
  }

  // ---------------------------------------------------------------- prox, finalize, gradient

  /** New group norms after `prox_{penalty R}` (host math only; no tensors). */
  proxOfNorms(norms: Float64Array, penalty: number): Float64Array {
    if (!(penalty >= 0) || !Number.isFinite(penalty)) {
      throw new RangeError(
        `${this.fn}.prox: the penalty lr * lambda must be a finite number >= 0, got ${penalty}.`,
      );
    }
    if (penalty === 0) return Float64Array.from(norms);
    return this.proxNorms(norms, penalty);
  }

  /**
   * Applies `prox_{lr * lambda_t * R}` to the regularized weights, on the device.
   * @param learningRate The step size of the gradient step just taken (lr_t).
   * @param options.step Training step for a lambda schedule. Defaults to 0.
   */
  prox(learningRate: number, options: { step?: number } = {}): ProxResult {
    if (typeof learningRate !== 'number' || !Number.isFinite(learningRate) || learningRate < 0) {
      throw new RangeError(
        `${this.fn}.prox: learningRate must be a finite number >= 0, got ${learningRate}.`,
      );
    }
    const penalty = learningRate * this.lambdaAt(options.step ?? 0);
    const norms = this.groupNorms();
    const after = this.proxOfNorms(norms, penalty);
    this.scaleGroups(ratio(after, norms));
    this.recordNorms(after);
    return { penalty, norms: after, stats: this.stats(after) };
  }

  /**
   * The exact-k step: keeps the `keep` groups with the largest weighted norms (per layer, or globally with
   * the per-layer floor) and zeroes the others. The prox alone guarantees at least k nonzero groups; this
   * makes it exactly k (fewer only if fewer were nonzero).
   */
  finalize(): FinalizeResult {
    const budget = this.budget;
    if (!budget) {
      throw new Error(
        `${this.fn}.finalize: no keep budget; create the regularizer with keep: { count } or { fraction }.`,
      );
    }
    const norms = this.groupNorms();
    const keep = selectKeep(norms, this.layout, budget);
    const after = norms.map((a, j) => (keep[j] ? a : 0));
    this.scaleGroups(Float64Array.from(keep));
    this.recordNorms(after);
    const nonzeroBefore = countNonzero(norms);
    const stats = this.stats(after);
    return { nonzeroBefore, nonzeroAfter: stats.total.nonzero, stats };
  }

  /**
   * Factors `f_j = lambda_t * s_j` such that `lambda_t * grad R` on group j is `f_j * x_{G_j}`
   * (0 on zero groups). HSPG's half-space stage uses these.
   */
  gradientFactors(norms: Float64Array, step = 0): Float64Array {
    const lambda = this.lambdaAt(step);
    return this.gradientFactorsOfNorms(norms).map((s) => s * lambda);
  }

  /** `lambda_t * grad R` of the current weights, one tensor per regularized variable (caller disposes). */
  gradient(options: { step?: number } = {}): Map<string, tf.Tensor> {
    const factors = this.gradientFactors(this.groupNorms(), options.step ?? 0);
    const out = new Map<string, tf.Tensor>();
    const vars = this.variables();
    this.layout.terms.forEach((term, t) => {
      out.set(term.variableName, scaleTerm(term, vars[t] as tf.Tensor, factors, 0));
    });
    return out;
  }

  /** Multiplies every group of the weights by `scales[j]` on the device (positions outside groups kept). */
  scaleGroups(scales: ArrayLike<number>): void {
    if (allOnes(scales)) return;
    const vars = this.vars_;
    tf.tidy(() => {
      this.layout.terms.forEach((term, t) => {
        const v = vars[t] as BoundVariable;
        v.write(scaleTerm(term, v.read(), scales));
      });
    });
  }

  // ---------------------------------------------------------------- compile-time helpers

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

  /** `lambda_t * R` as a differentiable scalar tensor (gradient `lambda_t * grad R`). */
  penalty(step?: number): tf.Scalar {
    return penaltyTensor(this, step);
  }

  /** Why this regularizer cannot be serialized (functions, ready partitions), or undefined. */
  serializationProblem(): string | undefined {
    return serializationProblem(this.options);
  }

  // ---------------------------------------------------------------- helpers

  protected requireAttached(what: string): true {
    if (!this.model_) {
      throw new Error(
        `${this.fn}: ${what} needs a model; call reg.attach(model) first (proxCallback(reg) and the HSPG optimizer attach it when training starts; after loadLayersModel, attach the loaded model).`,
      );
    }
    return true;
  }
}

function sparsityOf(groups: number, nonzero: number): GroupSparsity {
  return {
    groups,
    nonzero,
    zero: groups - nonzero,
    sparsity: groups === 0 ? 0 : (groups - nonzero) / groups,
  };
}

/** Number of entries > 0. */
export function countNonzero(norms: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < norms.length; i++) if ((norms[i] as number) > 0) n++;
  return n;
}

/** `after / before` per group, 0 where before is 0. */
export function ratio(after: Float64Array, before: Float64Array): Float64Array {
  return after.map((t, j) => {
    const a = before[j] as number;
    return a > 0 ? t / a : 0;
  });
}
