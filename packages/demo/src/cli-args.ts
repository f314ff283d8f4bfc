/**
 * Argument parsers shared by the demo's and the paper experiment's commander programs: each returns a
 * commander option parser that throws InvalidArgumentError naming the option, the rule and the value.
 */
import { InvalidArgumentError } from 'commander';

function numberParser(name: string, ok: (n: number) => boolean, rule: string) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !ok(n)) {
      throw new InvalidArgumentError(`${name} must be ${rule}, got '${value}'.`);
    }
    return n;
  };
}

/** An integer >= 1. */
export const positiveInt = (name: string) =>
  numberParser(name, (n) => Number.isInteger(n) && n >= 1, 'an integer >= 1');

/** An integer >= 0. */
export const nonNegativeInt = (name: string) =>
  numberParser(name, (n) => Number.isInteger(n) && n >= 0, 'an integer >= 0');

/** A finite number > 0. */
export const positiveNumber = (name: string) =>
  numberParser(name, (n) => Number.isFinite(n) && n > 0, 'a number > 0');

/** A finite number >= 0. */
export const nonNegativeNumber = (name: string) =>
  numberParser(name, (n) => Number.isFinite(n) && n >= 0, 'a number >= 0');
