/**
 * The protocol between a klevel regularizer and the training code of other packages (@klevel/prox-callback,
 * @klevel/hspg, a lambda controller): everything they call, and nothing else. `wgsef()` and `groupLasso()`
 * implement it. A regularizer from another copy of @klevel/wgsef is recognised by the brand.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { ModelBinding } from './binding';
import type { GradientMode } from './options';
import type { SparsityStats, UnitStats } from './stats';

/** What one prox application did. */
export interface ProxResult {
  /** lr_t of the step. */
  learningRate: number;
  /** lambda_u per budget unit (see `binding.units`). */
  lambdas: Float64Array;
  /** Group norms after the prox (exact: computed on the host, no second download). */
  norms: Float64Array;
  /** Sparsity after the prox (computed from `norms` when first read). */
  readonly stats: SparsityStats;
  /** Per budget unit: nonzero groups and the size of the groups outside the top k, for a controller
   *  (computed from `norms` when first read: it ranks every unit). */
  readonly units: UnitStats[];
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

/** The cross-package protocol of a klevel group regularizer. */
export interface KlevelRegularizer {
  /** Brand checked by {@link isGroupRegularizer}. */
  readonly klevelGroupRegularizer: true;
  /** Key of `lambda * R` in training logs: `'wgsef'` or `'group_lasso'`. */
  readonly name: string;
  /** `gradient`: `'prox'` (training code applies {@link KlevelRegularizer.prox}) or `'subgradient'` (the loss
   *  carries R); `scope`: `'layer'` or `'global'` (one budget, per-layer floors). */
  readonly options: { readonly gradient: GradientMode; readonly scope: 'layer' | 'global' };
  /** Binds the regularizer to the model being trained (idempotent for the same model). */
  attach(model: tfl.LayersModel): this;
  /** True once attached. */
  readonly isAttached: boolean;
  /** The groups and weights of the attached model (throws when not attached). */
  readonly binding: ModelBinding;
  /** lambda_u of every budget unit at `step` (the user's lambda, or what a controller set). */
  lambdas(step?: number): Float64Array;
  /** The step budget of the fit that begins (lambda: 'auto', sparsity schedules); optional. */
  beginFit?(fit: { totalSteps?: number; stepsPerEpoch?: number; startStep?: number }): void;
  /** Applies `prox_{lr lambda R}` on the device; throws when the weights are not finite. */
  prox(learningRate: number, options?: { step?: number }): ProxResult;
  /** New norms `prox_{lr lambda R}(norms)` (host only). */
  proxOfNorms(norms: Float64Array, learningRate: number, step?: number): Float64Array;
  /** Factors `f_j` with `lambda grad R = f_j x_{G_j}` on group j. */
  gradientFactors(norms: Float64Array, step?: number): Float64Array;
  /** `lambda R` of the current weights or of given norms. */
  value(options?: { step?: number; norms?: Float64Array }): number;
  /** Sparsity of the current weights or of given norms. */
  stats(norms?: Float64Array): SparsityStats;
  /** Throws, naming the layers, when a group norm is NaN or Infinity (`when`: e.g. `'at step 12'`). */
  checkFinite(norms: ArrayLike<number>, when: string): void;
  /** The exact-k step; throws when the weights are not finite. */
  finalize(): FinalizeResult;
  /** Why the regularizer cannot be serialized, or undefined. */
  serializationProblem(): string | undefined;
  getConfig(): tf.serialization.ConfigDict;
}

/** True for a klevel regularizer (works across duplicate package copies). */
export function isGroupRegularizer(x: unknown): x is KlevelRegularizer {
  return (
    x !== null &&
    typeof x === 'object' &&
    (x as { klevelGroupRegularizer?: unknown }).klevelGroupRegularizer === true
  );
}
