/**
 * Hyperparameters that may change during training (lambda, the learning rate of the prox callback and of
 * HSPG): one type and one pair of checks, shared by @klevel/wgsef, @klevel/prox-callback and @klevel/hspg.
 * A number is checked when it is given; a schedule is checked on every value it returns.
 */

/** A number, or a function of the training step (0-based batch counter) returning one. */
export type ScalarOrSchedule = number | ((step: number) => number);

/** Which numbers a hyperparameter accepts: `'>= 0'` (lambda, the prox's step size) or `'> 0'` (a step size
 *  that must move, HSPG's learning rate). */
export type ScalarBound = '>= 0' | '> 0';

/** A value as error messages show it: numbers as written, strings quoted, functions as "a function". */
export function describeValue(value: unknown): string {
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return `'${value}'`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function inBounds(v: unknown, bound: ScalarBound): v is number {
  return typeof v === 'number' && Number.isFinite(v) && (bound === '> 0' ? v > 0 : v >= 0);
}

/**
 * Checks a number-or-schedule when it is given (a schedule is checked at every step by {@link valueAt}).
 * @param fn the function or class the user called, e.g. `'hspg'`
 * @param name the option, e.g. `'learningRate'`
 * @example checkScalarOrSchedule('hspg', 'learningRate', 0.01, '> 0') // 0.01
 */
export function checkScalarOrSchedule(
  fn: string,
  name: string,
  value: unknown,
  bound: ScalarBound = '>= 0',
): ScalarOrSchedule {
  if (typeof value === 'function') return value as (step: number) => number;
  if (!inBounds(value, bound)) {
    throw new RangeError(
      `${fn}: ${name} must be a finite number ${bound} or a function (step) => number, got ${describeValue(value)}.`,
    );
  }
  return value;
}

/**
 * The value of a number-or-schedule at `step` (a number given to {@link checkScalarOrSchedule} is returned
 * as it is); throws a RangeError naming the schedule when it returns something out of bounds.
 * @example valueAt('wgsef', 'lambda', (step) => 1e-3 * 0.9 ** step, 10)
 */
export function valueAt(
  fn: string,
  name: string,
  value: ScalarOrSchedule,
  step: number,
  bound: ScalarBound = '>= 0',
): number {
  if (typeof value === 'number') return value;
  const v = value(step);
  if (!inBounds(v, bound)) {
    throw new RangeError(
      `${fn}: the ${name} schedule returned ${describeValue(v)} at step ${step}; it must return a finite number ${bound}.`,
    );
  }
  return v;
}
