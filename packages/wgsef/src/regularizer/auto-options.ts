/**
 * Validation of the options of `lambda: 'auto'` and of the sparsity schedules: `targetStep`, `targetEpoch`,
 * `autoLambda` and `sparsitySchedule`. Table-driven: every field has one rule, and every error names the
 * option, what was expected, what was received and the fix.
 */
import { AUTO_LAMBDA_DEFAULTS, type AutoLambdaSettings } from './auto-lambda';
import { describeValue as describe } from './scalar-or-schedule';
import { CONSTANT_SPARSITY, type ResolvedSparsitySchedule } from './sparsity-schedule';

/** The validated training-plan options of a regularizer. */
export interface ResolvedPlanOptions {
  /** True for `lambda: 'auto'`. */
  auto: boolean;
  /** The step by which the controller (and a polynomial schedule) reach their end, if given. */
  targetStep: number | undefined;
  /** The same as an epoch count (converted with the fit's steps per epoch), if given. */
  targetEpoch: number | undefined;
  /** Controller settings (defaults filled in). */
  autoLambda: AutoLambdaSettings;
  /** The sparsity schedule (default: constant from step 0; with `'auto'`, cubic from m to k). */
  sparsitySchedule: ResolvedSparsitySchedule;
  /** True when the schedule is `'auto'`'s default (it ends at 2/3 of the target step). */
  scheduleFromAuto: boolean;
}

/** The schedule of `lambda: 'auto'` when the user gives none: k from m to the final k, cubic. */
export const AUTO_SCHEDULE: ResolvedSparsitySchedule = Object.freeze({
  type: 'polynomial',
  initialSparsity: 0,
  beginStep: 0,
  endStep: undefined,
  power: 3,
  frequency: 1,
}) as ResolvedSparsitySchedule;

type Check = (v: number) => boolean;

/** One numeric field: its test and the words for what it must be. */
interface Rule {
  ok: Check;
  expected: string;
}

const positiveInt: Rule = { ok: (v) => Number.isInteger(v) && v >= 1, expected: 'an integer >= 1' };
const nonNegInt: Rule = { ok: (v) => Number.isInteger(v) && v >= 0, expected: 'an integer >= 0' };
const positive: Rule = { ok: (v) => Number.isFinite(v) && v > 0, expected: 'a finite number > 0' };
const unitOpen: Rule = { ok: (v) => v > 0 && v < 1, expected: 'a number in (0, 1)' };
const unitHalfOpen: Rule = { ok: (v) => v >= 0 && v < 1, expected: 'a number in [0, 1)' };

type NumericSetting = keyof AutoLambdaSettings;

const AUTO_RULES: Record<NumericSetting, Rule> = {
  rhoEnd: unitOpen,
  power: positive,
  maxRate: { ok: (v) => v >= 0 && v <= 1, expected: 'a number in [0, 1] (0: from the step budget)' },
  gain: positive,
  initialShrink: unitOpen,
  maxShrink: unitOpen,
  maxShrinkGrowth: { ok: (v) => Number.isFinite(v) && v >= 1, expected: 'a finite number >= 1' },
};

const POLY_RULES: Record<string, Rule> = {
  initialSparsity: unitHalfOpen,
  beginStep: nonNegInt,
  endStep: positiveInt,
  power: positive,
  frequency: positiveInt,
};

function checkNumber(fn: string, name: string, value: unknown, rule: Rule): number {
  if (typeof value !== 'number' || !rule.ok(value)) {
    throw new RangeError(`${fn}: ${name} must be ${rule.expected}, got ${describe(value)}.`);
  }
  return value;
}

function checkObject(fn: string, name: string, value: unknown, known: string[], example: string) {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TypeError(`${fn}: ${name} must be an object such as ${example}, got ${describe(value)}.`);
  }
  const extra = Object.keys(value).filter((k) => !known.includes(k));
  if (extra.length > 0) {
    throw new TypeError(
      `${fn}: unknown key(s) ${extra.join(', ')} in ${name}; known keys are ${known.join(', ')}.`,
    );
  }
  return value as Record<string, unknown>;
}

/** Checks `autoLambda` and fills in the defaults. */
export function resolveAutoSettings(fn: string, value: unknown): AutoLambdaSettings {
  const out: AutoLambdaSettings = { ...AUTO_LAMBDA_DEFAULTS };
  if (value === undefined) return out;
  const o = checkObject(fn, 'autoLambda', value, Object.keys(AUTO_RULES), '{ rhoEnd: 0.005 }');
  for (const [key, rule] of Object.entries(AUTO_RULES) as [NumericSetting, Rule][]) {
    if (o[key] !== undefined) out[key] = checkNumber(fn, `autoLambda.${key}`, o[key], rule);
  }
  return out;
}

/** Checks `sparsitySchedule` and fills in the defaults (constant from step 0 when absent). */
export function resolveSchedule(fn: string, value: unknown): ResolvedSparsitySchedule {
  if (value === undefined) return CONSTANT_SPARSITY;
  const type = (value as { type?: unknown } | null)?.type;
  if (type === 'constant') {
    const o = checkObject(fn, 'sparsitySchedule', value, ['type', 'beginStep'], "{ type: 'constant' }");
    const beginStep =
      o.beginStep === undefined ? 0 : checkNumber(fn, 'sparsitySchedule.beginStep', o.beginStep, nonNegInt);
    return { type: 'constant', beginStep };
  }
  if (type === 'polynomial') {
    const o = checkObject(
      fn,
      'sparsitySchedule',
      value,
      ['type', ...Object.keys(POLY_RULES)],
      "{ type: 'polynomial', initialSparsity: 0, power: 3 }",
    );
    const num = (key: string, def: number | undefined) =>
      o[key] === undefined
        ? def
        : checkNumber(fn, `sparsitySchedule.${key}`, o[key], POLY_RULES[key] as Rule);
    const beginStep = num('beginStep', 0) as number;
    const endStep = num('endStep', undefined);
    if (endStep !== undefined && endStep <= beginStep) {
      throw new RangeError(
        `${fn}: sparsitySchedule.endStep (${endStep}) must be greater than sparsitySchedule.beginStep (${beginStep}).`,
      );
    }
    return {
      type: 'polynomial',
      initialSparsity: num('initialSparsity', 0) as number,
      beginStep,
      endStep,
      power: num('power', 3) as number,
      frequency: num('frequency', 1) as number,
    };
  }
  throw new TypeError(
    `${fn}: sparsitySchedule must be { type: 'constant', beginStep? } or { type: 'polynomial', initialSparsity?, beginStep?, endStep?, power?, frequency? }, got ${describe(value)}.`,
  );
}

/** Checks `targetStep`: an integer >= 1. */
export function checkTargetStep(fn: string, value: unknown): number {
  return checkNumber(fn, 'targetStep', value, positiveInt);
}

/** Checks `targetEpoch`: a finite number > 0. */
export function checkTargetEpoch(fn: string, value: unknown): number {
  return checkNumber(fn, 'targetEpoch', value, positive);
}

/**
 * Validates `targetStep`, `targetEpoch`, `autoLambda` and `sparsitySchedule` against `lambda`.
 * @param fn the public factory name used in messages
 * @param a the user's options object
 */
export function resolvePlanOptions(fn: string, a: Record<string, unknown>): ResolvedPlanOptions {
  const auto = a.lambda === 'auto';
  if (typeof a.lambda === 'string' && !auto) {
    throw new TypeError(
      `${fn}: lambda must be a number >= 0, a function (step) => number or 'auto', got ${describe(a.lambda)}.`,
    );
  }
  if (auto && fn !== 'wgsef') {
    throw new TypeError(
      `${fn}: lambda: 'auto' is supported by wgsef() (its prox keeps k groups, which the controller relies on); give ${fn}() a number.`,
    );
  }
  if (auto && a.gradient === 'subgradient') {
    throw new TypeError(
      `${fn}: lambda: 'auto' needs gradient: 'prox' (the controller sets the strength of the prox); drop gradient: 'subgradient' or give a number.`,
    );
  }
  if (a.targetStep !== undefined && a.targetEpoch !== undefined) {
    throw new TypeError(
      `${fn}: give targetStep or targetEpoch, not both (got targetStep ${describe(a.targetStep)} and targetEpoch ${describe(a.targetEpoch)}).`,
    );
  }
  const targetStep = a.targetStep === undefined ? undefined : checkTargetStep(fn, a.targetStep);
  const targetEpoch = a.targetEpoch === undefined ? undefined : checkTargetEpoch(fn, a.targetEpoch);
  const sparsitySchedule = resolveSchedule(fn, a.sparsitySchedule);
  if (
    (targetStep !== undefined || targetEpoch !== undefined) &&
    !auto &&
    sparsitySchedule.type !== 'polynomial'
  ) {
    const name = targetStep !== undefined ? 'targetStep' : 'targetEpoch';
    throw new TypeError(
      `${fn}: ${name} sets when lambda: 'auto' or a polynomial sparsitySchedule reach their end, and this regularizer has neither; drop ${name} or use lambda: 'auto'.`,
    );
  }
  if (a.autoLambda !== undefined && !auto) {
    throw new TypeError(
      `${fn}: autoLambda tunes the controller of lambda: 'auto', but lambda is ${describe(a.lambda)}; drop autoLambda or use lambda: 'auto'.`,
    );
  }
  if (sparsitySchedule.type === 'polynomial' && fn !== 'wgsef') {
    throw new TypeError(
      `${fn}: a polynomial sparsitySchedule moves the k of the WGSEF prox, and ${fn}() has no k in its prox; use wgsef() or a constant schedule.`,
    );
  }
  if (!keepGiven(a) && sparsitySchedule.type === 'polynomial') {
    throw new TypeError(`${fn}: a polynomial sparsitySchedule needs keep (the final number of groups).`);
  }
  const scheduleFromAuto = auto && a.sparsitySchedule === undefined;
  return {
    auto,
    targetStep,
    targetEpoch,
    autoLambda: resolveAutoSettings(fn, a.autoLambda),
    sparsitySchedule: scheduleFromAuto ? AUTO_SCHEDULE : sparsitySchedule,
    scheduleFromAuto,
  };
}

function keepGiven(a: Record<string, unknown>): boolean {
  return a.keep !== undefined;
}
