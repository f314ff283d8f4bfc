/**
 * Options shared by the model-level regularizers (`wgsef()` and `groupLasso()`), and their validation.
 * Everything is checked when the regularizer is constructed; checks that need the model (layer names,
 * keep counts against the number of groups) run in `attach(model)`.
 */
import type { Group, GroupPartition, GroupSpec } from '@klevel/groups';
import type * as tfl from '@tensorflow/tfjs-layers';

/**
 * How many groups to keep: an integer `count` or a `fraction` of the groups in (0, 1].
 * With `scope: 'layer'` the budget applies to every layer (a fraction is rounded per layer, at least 1);
 * with `scope: 'global'` it applies to all regularized groups together.
 */
export type KeepSpec = { count: number } | { fraction: number };

/** A number, or a function of the training step (0-based batch counter) returning one. */
export type ScalarOrSchedule = number | ((step: number) => number);

/** Group weights `w_j`: `'sqrt-size'` (sqrt of the number of regularized scalars), `'uniform'` (1), or custom. */
export type GroupWeighting = 'sqrt-size' | 'uniform' | ((group: Group) => number);

/** What a group is: a group type/spec understood by `@klevel/groups`' `partitionGroups`, a ready partition,
 *  or a function building one from the model. */
export type GroupsOption = GroupSpec | GroupPartition | ((model: tfl.LayersModel) => GroupPartition);

/** How the regularizer enters training. */
export type GradientMode = 'prox' | 'subgradient';

/** Options of `wgsef()` and `groupLasso()`. */
export interface GroupRegularizerArgs {
  /** What a group is, e.g. `'filters'` (conv filters and dense units with their bias and BatchNorm entries). */
  groups: GroupsOption;
  /** How many groups to keep. Required by `wgsef()`; `groupLasso()` needs it only for `finalize()`. */
  keep?: KeepSpec;
  /** `'layer'`: each layer keeps its own budget (the paper's setting); `'global'`: one budget over all
   *  layers. Defaults to `'layer'`. */
  scope?: 'layer' | 'global';
  /** The least number of groups every layer keeps (global scope, and the floor of group lasso); 0 lets a
   *  layer be emptied. Defaults to 1. */
  minGroupsPerLayer?: number;
  /** Regularization strength (>= 0), or a schedule of the step. */
  lambda: ScalarOrSchedule;
  /** Group weights. Defaults to `'sqrt-size'`. */
  groupWeights?: GroupWeighting;
  /** Only regularize groups owned by these layers (by `layer.name`). Defaults to all layers. */
  include?: string[];
  /** Do not regularize groups owned by these layers. Defaults to none. */
  exclude?: string[];
  /** Regularize only groups the pruner can remove (not, e.g., the units of the output layer).
   *  `'auto'`: true when the partition has at least one removable group (so compression-only specs such
   *  as `'filter-shapes'` still work). Defaults to `'auto'`. */
  removableOnly?: boolean | 'auto';
  /** `'prox'`: the prox callback or the HSPG optimizer applies the proximal operator and the value is only
   *  reported (the paper's method); `'subgradient'`: `reg.loss(...)` adds `lambda * R` to the loss so the
   *  optimizer follows its (sub)gradient. Defaults to `'prox'`. */
  gradient?: GradientMode;
}

/** The validated, defaulted form of {@link GroupRegularizerArgs}. */
export interface ResolvedArgs {
  groups: GroupsOption;
  keep: KeepSpec | undefined;
  scope: 'layer' | 'global';
  minGroupsPerLayer: number;
  lambda: ScalarOrSchedule;
  groupWeights: GroupWeighting;
  include: string[] | undefined;
  exclude: string[];
  removableOnly: boolean | 'auto';
  gradient: GradientMode;
}

const KNOWN_KEYS = new Set([
  'groups',
  'keep',
  'scope',
  'minGroupsPerLayer',
  'lambda',
  'groupWeights',
  'include',
  'exclude',
  'removableOnly',
  'gradient',
]);

function describe(value: unknown): string {
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'number') return String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Validates a keep spec; throws TypeError/RangeError naming `fn`. */
export function validateKeep(fn: string, keep: unknown): KeepSpec {
  if (typeof keep === 'number') {
    throw new TypeError(
      `${fn}: keep must be { count: <integer> } or { fraction: <number in (0, 1]> }, got the bare number ${keep}. ` +
        `A bare number is ambiguous (a count or a fraction?): write keep: { ${
          Number.isInteger(keep) && keep >= 1 ? 'count' : 'fraction'
        }: ${keep} }.`,
    );
  }
  if (keep === null || typeof keep !== 'object') {
    throw new TypeError(`${fn}: keep must be { count } or { fraction }, got ${describe(keep)}.`);
  }
  const k = keep as Record<string, unknown>;
  const hasCount = 'count' in k;
  const hasFraction = 'fraction' in k;
  const extra = Object.keys(k).filter((key) => key !== 'count' && key !== 'fraction');
  if (hasCount === hasFraction || extra.length > 0) {
    throw new TypeError(
      `${fn}: keep must have exactly one of 'count' or 'fraction', got ${describe(keep)}.` +
        (extra.length ? ` Unknown keys: ${extra.join(', ')}.` : ''),
    );
  }
  if (hasCount) {
    const c = k.count;
    if (typeof c !== 'number' || !Number.isInteger(c) || c < 1) {
      throw new RangeError(
        `${fn}: keep.count must be an integer >= 1, got ${describe(c)}. For a share of the groups use keep: { fraction }.`,
      );
    }
    return { count: c };
  }
  const f = k.fraction;
  if (typeof f !== 'number' || !Number.isFinite(f) || f <= 0 || f > 1) {
    throw new RangeError(
      `${fn}: keep.fraction must be a number in (0, 1], got ${describe(f)}. For a number of groups use keep: { count }.`,
    );
  }
  return { fraction: f };
}

function validateLayerList(fn: string, name: string, value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw new TypeError(`${fn}: ${name} must be an array of layer names, got ${describe(value)}.`);
  }
  return [...value];
}

/** Validates a number-or-schedule hyperparameter given as a number now (schedules are checked per step). */
export function validateScalarOrSchedule(fn: string, name: string, value: unknown): ScalarOrSchedule {
  if (typeof value === 'function') return value as (step: number) => number;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new RangeError(
      `${fn}: ${name} must be a finite number >= 0 or a function (step) => number, got ${describe(value)}.`,
    );
  }
  return value;
}

/** Resolves a number-or-schedule at `step`, checking the schedule's result. */
export function resolveScalar(fn: string, name: string, value: ScalarOrSchedule, step: number): number {
  if (typeof value === 'number') return value;
  const v = value(step);
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
    throw new RangeError(
      `${fn}: the ${name} schedule returned ${describe(v)} at step ${step}; it must return a finite number >= 0.`,
    );
  }
  return v;
}

/**
 * Validates and defaults the options of a group regularizer.
 * @param fn The public factory name used in error messages (`'wgsef'`, `'groupLasso'`).
 * @param keepRequired Whether `keep` is mandatory (WGSEF) or optional (group lasso).
 */
export function resolveArgs(fn: string, args: unknown, keepRequired: boolean): ResolvedArgs {
  if (args === null || typeof args !== 'object' || Array.isArray(args)) {
    throw new TypeError(
      `${fn}: expected one options object, e.g. ${fn}({ groups: 'filters', lambda: 1e-2, ... }), got ${describe(args)}.`,
    );
  }
  const a = args as Record<string, unknown>;
  const unknown = Object.keys(a).filter((key) => !KNOWN_KEYS.has(key));
  if (unknown.length > 0) {
    throw new TypeError(
      `${fn}: unknown option(s) ${unknown.join(', ')}; known options are ${[...KNOWN_KEYS].join(', ')}.`,
    );
  }
  if (a.groups === undefined || a.groups === null) {
    throw new TypeError(
      `${fn}: 'groups' is required (e.g. groups: 'filters'), it says what a group of parameters is.`,
    );
  }
  const g = a.groups;
  if (typeof g !== 'string' && typeof g !== 'function' && typeof g !== 'object') {
    throw new TypeError(
      `${fn}: groups must be a group type such as 'filters', a spec object, a GroupPartition or a function (model) => GroupPartition; got ${describe(g)}.`,
    );
  }
  let keep: KeepSpec | undefined;
  if (a.keep === undefined) {
    if (keepRequired) {
      throw new TypeError(
        `${fn}: 'keep' is required: how many groups to keep, e.g. keep: { fraction: 0.3 } or keep: { count: 12 }.`,
      );
    }
  } else {
    keep = validateKeep(fn, a.keep);
  }
  const scope = a.scope ?? 'layer';
  if (scope !== 'layer' && scope !== 'global') {
    throw new TypeError(`${fn}: scope must be 'layer' or 'global', got ${describe(scope)}.`);
  }
  const floor = a.minGroupsPerLayer ?? 1;
  if (typeof floor !== 'number' || !Number.isInteger(floor) || floor < 0) {
    throw new RangeError(
      `${fn}: minGroupsPerLayer must be an integer >= 0 (0 lets a layer be emptied), got ${describe(floor)}.`,
    );
  }
  if (a.lambda === undefined) {
    throw new TypeError(
      `${fn}: 'lambda' is required: the regularization strength, e.g. lambda: 1e-2 (or a function (step) => number).`,
    );
  }
  const lambda = validateScalarOrSchedule(fn, 'lambda', a.lambda);
  const weights = a.groupWeights ?? 'sqrt-size';
  if (weights !== 'sqrt-size' && weights !== 'uniform' && typeof weights !== 'function') {
    throw new TypeError(
      `${fn}: groupWeights must be 'sqrt-size', 'uniform' or a function (group) => number, got ${describe(weights)}.`,
    );
  }
  const gradient = a.gradient ?? 'prox';
  if (gradient !== 'prox' && gradient !== 'subgradient') {
    throw new TypeError(`${fn}: gradient must be 'prox' or 'subgradient', got ${describe(gradient)}.`);
  }
  const removableOnly = a.removableOnly ?? 'auto';
  if (removableOnly !== true && removableOnly !== false && removableOnly !== 'auto') {
    throw new TypeError(
      `${fn}: removableOnly must be true, false or 'auto', got ${describe(removableOnly)}.`,
    );
  }
  const include = validateLayerList(fn, 'include', a.include);
  const exclude = validateLayerList(fn, 'exclude', a.exclude) ?? [];
  if (include && include.length === 0) {
    throw new RangeError(
      `${fn}: include is an empty list, which would regularize nothing; omit it to include every layer.`,
    );
  }
  return {
    groups: g as GroupsOption,
    keep,
    scope,
    minGroupsPerLayer: floor,
    lambda,
    groupWeights: weights as GroupWeighting,
    include,
    exclude,
    removableOnly,
    gradient,
  };
}
