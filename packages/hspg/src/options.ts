/** Options of the HSPG optimizer and their validation. */
import { isGroupRegularizer, type ScalarOrSchedule } from '@klevel/wgsef';
import { checkScalarOrSchedule, type KlevelRegularizer } from '@klevel/wgsef/extend';

/** When stage 2 (half-space) starts: at a global step, at an epoch, or on `switchToHalfSpace()`. */
export type SwitchAt = { step: number } | { epoch: number } | 'manual';

/**
 * How the regularizer enters the stage-2 trial point: `'gradient'` (`x - lr lambda grad R`, the explicit step
 * of the HSPG paper) or `'prox'` (`prox_{lr lambda R}(x)`, the step stage 1 takes).
 */
export type RegularizerStep = 'gradient' | 'prox';

/** Options of {@link hspg}. */
export interface HspgArgs {
  /** The regularizer, from `wgsef()` or `groupLasso()` with `gradient: 'prox'` (the default). */
  regularizer: KlevelRegularizer;
  /** Step size (> 0), or a schedule `(step) => number`. Can be changed later through `optimizer.learningRate`. */
  learningRate: ScalarOrSchedule;
  /** Heavy-ball momentum in [0, 1). Defaults to 0. */
  momentum?: number;
  /** Half-space aggressiveness in [0, 1): a group is zeroed when dot(x_hat, x) < epsilon ||x||^2. Defaults to 0. */
  epsilon?: number;
  /** When the half-space stage starts. Defaults to `{ step: 0 }` (immediately). */
  switchAt?: SwitchAt;
  /** The regularizer's part of the stage-2 trial point: `'gradient'` or `'prox'`. Defaults to `'gradient'`. */
  regularizerStep?: RegularizerStep;
}

export interface ResolvedHspgArgs {
  regularizer: KlevelRegularizer | undefined;
  learningRate: ScalarOrSchedule;
  momentum: number;
  epsilon: number;
  switchAt: SwitchAt;
  regularizerStep: RegularizerStep;
}

const KNOWN = new Set([
  'regularizer',
  'learningRate',
  'momentum',
  'epsilon',
  'switchAt',
  'regularizerStep',
  'allowMissingRegularizer',
]);

function inUnitInterval(name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v >= 1) {
    throw new RangeError(`hspg: ${name} must be a number in [0, 1), got ${String(v)}.`);
  }
  return v;
}

function nonNegativeInt(name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
    throw new RangeError(`hspg: switchAt.${name} must be an integer >= 0, got ${String(v)}.`);
  }
  return v;
}

/** Validates and defaults {@link HspgArgs}. */
export function resolveHspgArgs(args: HspgArgs): ResolvedHspgArgs {
  if (args === null || typeof args !== 'object') {
    throw new TypeError(
      `hspg: expected one options object { regularizer, learningRate, ... }, got ${String(args)}.`,
    );
  }
  const a = args as unknown as Record<string, unknown>;
  const unknown = Object.keys(a).filter((k) => !KNOWN.has(k));
  if (unknown.length) {
    throw new TypeError(
      `hspg: unknown option(s) ${unknown.join(', ')}; known: regularizer, learningRate, momentum, epsilon, switchAt, regularizerStep.`,
    );
  }
  const reg = a.regularizer;
  if (reg === undefined && a.allowMissingRegularizer === true) {
    // only fromConfig does this, for a regularizer that could not be serialized
  } else if (!isGroupRegularizer(reg)) {
    throw new TypeError(
      "hspg: 'regularizer' must be a regularizer from wgsef(...) or groupLasso(...) (@klevel/wgsef); HSPG needs its groups.",
    );
  } else if (reg.options.gradient !== 'prox') {
    throw new Error(
      "hspg: the regularizer was created with gradient: 'subgradient', which adds it to the loss; HSPG applies the regularizer itself, so create it with gradient: 'prox' (the default) to avoid counting it twice.",
    );
  }
  const lr = checkScalarOrSchedule('hspg', 'learningRate', a.learningRate, '> 0');
  const momentum = inUnitInterval('momentum', a.momentum ?? 0);
  const epsilon = inUnitInterval('epsilon', a.epsilon ?? 0);
  const s = a.switchAt ?? { step: 0 };
  let switchAt: SwitchAt;
  if (s === 'manual') switchAt = 'manual';
  else if (s !== null && typeof s === 'object' && 'step' in s && !('epoch' in s)) {
    switchAt = { step: nonNegativeInt('step', (s as { step: unknown }).step) };
  } else if (s !== null && typeof s === 'object' && 'epoch' in s && !('step' in s)) {
    switchAt = { epoch: nonNegativeInt('epoch', (s as { epoch: unknown }).epoch) };
  } else {
    throw new TypeError(`hspg: switchAt must be { step }, { epoch } or 'manual', got ${JSON.stringify(s)}.`);
  }
  const regularizerStep = a.regularizerStep ?? 'gradient';
  if (regularizerStep !== 'gradient' && regularizerStep !== 'prox') {
    throw new TypeError(
      `hspg: regularizerStep must be 'gradient' or 'prox', got ${JSON.stringify(regularizerStep)}.`,
    );
  }
  return {
    regularizer: reg as KlevelRegularizer | undefined,
    learningRate: lr,
    momentum,
    epsilon,
    switchAt,
    regularizerStep,
  };
}
