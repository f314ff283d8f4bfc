/**
 * Options shared by the model-level regularizers (`wgsef()` and `groupLasso()`), and their validation.
 *
 * Every option is checked when the factory is called, by one entry of {@link OPTION_RULES} (adding an option
 * is adding an entry). Errors name the user's option, say what it accepts, show what it received and, for
 * a misspelt name, suggest the closest valid one. Checks that need the model (layer names, keep counts
 * against the number of groups, layers @klevel/groups does not know) run in `attach(model)`.
 */
import type { Group, GroupPartition, GroupSpec, GroupType } from '@klevel/groups';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { AutoLambdaSettings } from './auto-lambda';
import {
  checkTargetEpoch,
  checkTargetStep,
  type ResolvedPlanOptions,
  resolveAutoSettings,
  resolvePlanOptions,
  resolveSchedule,
} from './auto-options';
import {
  checkScalarOrSchedule,
  describeValue as describe,
  type ScalarOrSchedule,
} from './scalar-or-schedule';
import type { ResolvedSparsitySchedule, SparsitySchedule } from './sparsity-schedule';
import { closestMatch } from './suggest';

/**
 * How many groups to keep: an integer `count` or a `fraction` of the groups in (0, 1], never both.
 * With `scope: 'layer'` the budget applies to every layer (a fraction is rounded per layer, at least 1);
 * with `scope: 'global'` it applies to all regularized groups together.
 */
export type KeepSpec = { count: number; fraction?: never } | { fraction: number; count?: never };

/** A keep spec as plain JSON, for saved configs. */
export function keepToJson(keep: KeepSpec): { count: number } | { fraction: number } {
  return keep.count !== undefined ? { count: keep.count } : { fraction: keep.fraction };
}

/** Group weights `w_j`: `'sqrt-size'` (sqrt of the number of regularized scalars), `'uniform'` (1), or custom. */
export type GroupWeighting = 'sqrt-size' | 'uniform' | ((group: Group) => number);

/** What a group is: a group type/spec understood by `@klevel/groups`' `partitionGroups`, a ready partition,
 *  or a function building one from the model. */
export type GroupsOption = GroupSpec | GroupPartition | ((model: tfl.LayersModel) => GroupPartition);

/** How the regularizer enters training. */
export type GradientMode = 'prox' | 'subgradient';

/** Options of `groupLasso()` (and, with `keep` required, of `wgsef()`: {@link WgsefOptions}). */
export interface GroupRegularizerArgs {
  /** What a group is, e.g. `'filters'` (conv filters and dense units with their bias and BatchNorm entries). */
  groups: GroupsOption;
  /** How many groups to keep. Required by `wgsef()`; `groupLasso()` needs it only for `finalize()`. */
  keep?: KeepSpec;
  /** `'layer'`: each layer keeps its own budget (the paper's setting); `'global'`: one budget over all
   *  layers. Defaults to `'layer'`. */
  scope?: 'layer' | 'global';
  /** The least number of groups every layer keeps (global scope, and the floor of group lasso); 0 lets a
   *  layer be emptied. Defaults to `'auto'`: in global scope with `keep`, half of each layer's share of the
   *  budget, `max(1, floor(f * m_l / 2))` with `f` the kept fraction; otherwise 1. */
  minGroupsPerLayer?: number | 'auto';
  /** Regularization strength (>= 0), a schedule of the step, or `'auto'` (wgsef only): a controller
   *  chooses lambda per layer (per budget in global scope) from the group norms during training, see
   *  docs/concepts/auto-lambda.md. */
  lambda: ScalarOrSchedule | 'auto';
  /** The step by which `'auto'` (and a polynomial `sparsitySchedule`) reach their end. Defaults to 3/4 of
   *  the fit for `'auto'`, the end of the fit for a schedule (epochs x steps per epoch, read by the prox
   *  callback). */
  targetStep?: number;
  /** The same in epochs (multiplied by the fit's steps per epoch). */
  targetEpoch?: number;
  /** Settings of the `'auto'` controller (all optional). */
  autoLambda?: Partial<AutoLambdaSettings>;
  /** How many groups the prox keeps over training (Keras-style). Defaults to the final k from step 0
   *  (with `'auto'`: a cubic decay from all groups to k). */
  sparsitySchedule?: SparsitySchedule;
  /** Group weights. Defaults to `'sqrt-size'`. */
  groupWeights?: GroupWeighting;
  /** How a filter group followed by a BatchNormalization is measured: `'group'` (every parameter of it) or
   *  `'scales'` (only the BN gamma and beta, as network slimming does: BN divides out the kernel's scale, so
   *  gamma and beta are what the channel contributes; the kernel slice is removed with the group, not
   *  shrunk). Defaults to `'group'`. */
  batchNorm?: 'group' | 'scales';
  /** Only regularize groups owned by these layers (by `layer.name`). Defaults to all layers. */
  include?: string[];
  /** Do not regularize groups owned by these layers. Layers whose class @klevel/groups does not know
   *  (an LSTM, a custom layer) must be listed here; they are then left out of the analysis too, and their
   *  channels are not removable. Defaults to none. */
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

/** Options of `wgsef()`: the group-regularizer options with `keep` required. */
export interface WgsefOptions extends GroupRegularizerArgs {
  keep: KeepSpec;
}

/** The validated, defaulted form of {@link GroupRegularizerArgs}. */
export interface ResolvedArgs {
  groups: GroupsOption;
  keep: KeepSpec | undefined;
  scope: 'layer' | 'global';
  minGroupsPerLayer: number | 'auto';
  lambda: ScalarOrSchedule | 'auto';
  groupWeights: GroupWeighting;
  batchNorm: 'group' | 'scales';
  include: string[] | undefined;
  exclude: string[];
  removableOnly: boolean | 'auto';
  gradient: GradientMode;
  targetStep: number | undefined;
  targetEpoch: number | undefined;
  autoLambda: AutoLambdaSettings | undefined;
  sparsitySchedule: ResolvedSparsitySchedule | undefined;
  /** `'auto'`, the target step and the sparsity schedule, checked together (not a user option). */
  plan: ResolvedPlanOptions;
}

/** The user options (every field of {@link ResolvedArgs} but the derived `plan`). */
type OptionName = Exclude<keyof ResolvedArgs, 'plan'>;

/** The group types a `groups` string (or a rule's `type`) may name. */
export const GROUP_TYPE_NAMES = [
  'filters',
  'channels',
  'filter-shapes',
  'neurons',
  'layer',
  'weights',
] as const satisfies readonly GroupType[];
// Compile-time check that the list above names every group type of @klevel/groups but 'custom'.
const everyGroupTypeListed: Exclude<GroupType, 'custom' | (typeof GROUP_TYPE_NAMES)[number]> extends never
  ? true
  : never = true;
void everyGroupTypeListed;

/** " (did you mean 'x'?)" when `value` is a string close to one of `choices`, else "". */
function didYouMean(value: unknown, choices: readonly string[]): string {
  const best = typeof value === 'string' ? closestMatch(value, choices) : undefined;
  return best === undefined ? '' : ` Did you mean '${best}'?`;
}

/** Checks `value` is one of `choices`; the error lists them and suggests the closest. */
function oneOf<T extends string | boolean>(
  fn: string,
  name: string,
  value: unknown,
  choices: readonly T[],
): T {
  if ((choices as readonly unknown[]).includes(value)) return value as T;
  const list = choices.map((c) => (typeof c === 'string' ? `'${c}'` : String(c))).join(', ');
  const strings = choices.filter((c): c is T & string => typeof c === 'string');
  throw new TypeError(
    `${fn}: option '${name}' must be one of ${list}; received ${describe(value)}.${didYouMean(value, strings)}`,
  );
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
        (extra.length
          ? ` Unknown keys: ${extra.join(', ')}.${didYouMean(extra[0], ['count', 'fraction'])}`
          : ''),
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

function validateLayerList(fn: string, name: string, value: unknown): string[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw new TypeError(
      `${fn}: option '${name}' must be an array of layer names, e.g. ${name}: ['conv1']; received ${describe(value)}.`,
    );
  }
  return [...value];
}

/** Checks one group type given as a string (the shorthand, or a rule's `type`). */
function validateGroupTypeName(fn: string, where: string, value: string): void {
  if ((GROUP_TYPE_NAMES as readonly string[]).includes(value)) return;
  throw new TypeError(
    `${fn}: ${where} must be a group type, one of ${GROUP_TYPE_NAMES.map((t) => `'${t}'`).join(', ')} ` +
      `(or { custom: (layer, weights) => groups }); received ${describe(value)}.${didYouMean(value, GROUP_TYPE_NAMES)}`,
  );
}

/**
 * Checks the `groups` option as far as it can be checked without the model: a group type name, a
 * `{ custom }` type, a `{ rules, exclude }` spec (every rule's type), a ready partition or a function.
 */
function validateGroups(fn: string, value: unknown): GroupsOption {
  const expected =
    `a group type (${GROUP_TYPE_NAMES.map((t) => `'${t}'`).join(', ')}), a spec { rules: [{ layers, type }] }, ` +
    'a GroupPartition or a function (model) => GroupPartition';
  if (value === undefined || value === null) {
    throw new TypeError(`${fn}: option 'groups' is required (e.g. groups: 'filters'): ${expected}.`);
  }
  if (typeof value === 'string') {
    validateGroupTypeName(fn, "option 'groups'", value);
    return value as GroupsOption;
  }
  if (typeof value === 'function') return value as GroupsOption;
  if (typeof value !== 'object') {
    throw new TypeError(`${fn}: option 'groups' must be ${expected}; received ${describe(value)}.`);
  }
  const o = value as Record<string, unknown>;
  if (Array.isArray(o.groups) && Array.isArray(o.terms)) return value as GroupPartition;
  if ('custom' in o) {
    if (typeof o.custom !== 'function') {
      throw new TypeError(
        `${fn}: groups.custom must be a function (layer, weights) => groups; received ${describe(o.custom)}.`,
      );
    }
    return value as GroupsOption;
  }
  if (!Array.isArray(o.rules) || o.rules.length === 0) {
    throw new TypeError(`${fn}: option 'groups' must be ${expected}; received ${describe(value)}.`);
  }
  o.rules.forEach((rule: unknown, i: number) => {
    const where = `groups.rules[${i}]`;
    if (rule === null || typeof rule !== 'object' || !('layers' in rule) || !('type' in rule)) {
      throw new TypeError(`${fn}: ${where} must be { layers, type }; received ${describe(rule)}.`);
    }
    const type = (rule as { type: unknown }).type;
    if (typeof type === 'string') validateGroupTypeName(fn, `${where}.type`, type);
    else if (
      type === null ||
      typeof type !== 'object' ||
      typeof (type as { custom?: unknown }).custom !== 'function'
    ) {
      throw new TypeError(
        `${fn}: ${where}.type must be a group type name or { custom: fn }; received ${describe(type)}.`,
      );
    }
  });
  return value as GroupsOption;
}

/** One option: whether it must be given, its default, and its check (which returns the resolved value). */
interface OptionRule<K extends OptionName> {
  /** Required always (`true`), or only when the factory requires `keep` (`'wgsef'`). */
  required?: true | 'wgsef';
  /** The value when the user leaves the option out. */
  default?: ResolvedArgs[K];
  /** Shown when a required option is missing. */
  example?: string;
  check(fn: string, value: unknown): ResolvedArgs[K];
}

/** Every option of wgsef() and groupLasso(), in the order they are checked and listed. */
const OPTION_RULES: { [K in OptionName]: OptionRule<K> } = {
  groups: { required: true, example: "groups: 'filters'", check: validateGroups },
  keep: {
    required: 'wgsef',
    example: 'keep: { fraction: 0.3 } or keep: { count: 12 }',
    check: validateKeep,
  },
  scope: { default: 'layer', check: (fn, v) => oneOf(fn, 'scope', v, ['layer', 'global'] as const) },
  minGroupsPerLayer: {
    default: 'auto',
    check: (fn, v) => {
      if (v !== 'auto' && (typeof v !== 'number' || !Number.isInteger(v) || v < 0)) {
        throw new RangeError(
          `${fn}: minGroupsPerLayer must be 'auto' or an integer >= 0 (0 lets a layer be emptied), got ${describe(v)}.`,
        );
      }
      return v as number | 'auto';
    },
  },
  lambda: {
    required: true,
    example: "lambda: 1e-2 (or a function (step) => number, or 'auto' with wgsef)",
    check: (fn, v) => {
      if (v === 'auto') return 'auto';
      if (typeof v === 'string') {
        throw new TypeError(
          `${fn}: lambda must be a number >= 0, a function (step) => number or 'auto', got '${v}'.`,
        );
      }
      return checkScalarOrSchedule(fn, 'lambda', v);
    },
  },
  groupWeights: {
    default: 'sqrt-size',
    check: (fn, v) =>
      typeof v === 'function'
        ? (v as GroupWeighting)
        : oneOf(fn, 'groupWeights', v, ['sqrt-size', 'uniform'] as const),
  },
  batchNorm: {
    default: 'group',
    check: (fn, v) => oneOf(fn, 'batchNorm', v, ['group', 'scales'] as const),
  },
  include: {
    default: undefined,
    check: (fn, v) => {
      const list = validateLayerList(fn, 'include', v);
      if (list.length === 0) {
        throw new RangeError(
          `${fn}: include is an empty list, which would regularize nothing; omit it to include every layer.`,
        );
      }
      return list;
    },
  },
  exclude: { default: [], check: (fn, v) => validateLayerList(fn, 'exclude', v) },
  removableOnly: {
    default: 'auto',
    check: (fn, v) => oneOf(fn, 'removableOnly', v, [true, false, 'auto'] as const),
  },
  gradient: { default: 'prox', check: (fn, v) => oneOf(fn, 'gradient', v, ['prox', 'subgradient'] as const) },
  // lambda: 'auto' and the sparsity schedules (their checks across options run in resolvePlanOptions)
  targetStep: { default: undefined, check: checkTargetStep },
  targetEpoch: { default: undefined, check: checkTargetEpoch },
  autoLambda: { default: undefined, check: resolveAutoSettings },
  sparsitySchedule: { default: undefined, check: resolveSchedule },
};

/** The option names wgsef() and groupLasso() accept. */
export const OPTION_NAMES = Object.keys(OPTION_RULES) as OptionName[];

function resolveOne<K extends OptionName>(
  fn: string,
  name: K,
  a: Record<string, unknown>,
  keepRequired: boolean,
): ResolvedArgs[K] {
  const rule = OPTION_RULES[name] as OptionRule<K>;
  const value = a[name];
  if (value !== undefined) return rule.check(fn, value);
  const required = rule.required === true || (rule.required !== undefined && keepRequired);
  if (required) {
    throw new TypeError(`${fn}: option '${name}' is required, e.g. ${rule.example}.`);
  }
  return rule.default as ResolvedArgs[K];
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
  for (const key of Object.keys(a)) {
    if (!(OPTION_NAMES as string[]).includes(key)) {
      throw new TypeError(
        `${fn}: unknown option '${key}'.${didYouMean(key, OPTION_NAMES)} Known options: ${OPTION_NAMES.join(', ')}.`,
      );
    }
  }
  const out = {} as Record<keyof ResolvedArgs, unknown>;
  for (const name of OPTION_NAMES) out[name] = resolveOne(fn, name, a, keepRequired);
  out.plan = resolvePlanOptions(fn, a); // the checks across options ('auto' and the schedules)
  checkBatchNormWithGroups(fn, out.batchNorm as ResolvedArgs['batchNorm'], out.groups as GroupsOption);
  return out as unknown as ResolvedArgs;
}

/** `batchNorm: 'scales'` says how `partitionGroups` builds the groups, so a ready partition cannot take it. */
function checkBatchNormWithGroups(
  fn: string,
  batchNorm: ResolvedArgs['batchNorm'],
  groups: GroupsOption,
): void {
  const ready = typeof groups === 'function' || (typeof groups === 'object' && 'terms' in groups);
  if (batchNorm === 'group' || !ready) return;
  throw new TypeError(
    `${fn}: batchNorm: '${batchNorm}' applies to a group type or spec; the groups option here is a ready ` +
      `partition (or a function building one), which already says what is regularized. Fix: build it with ` +
      `partitionGroups(model, spec, { batchNorm: '${batchNorm}' }), or pass the spec itself as groups.`,
  );
}
