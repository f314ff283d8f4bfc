import { describe, expect, it } from 'vitest';
import { AUTO_LAMBDA_DEFAULTS } from './auto-lambda';
import { resolvePlanOptions } from './auto-options';

const ok = (a: Record<string, unknown>) => resolvePlanOptions('wgsef', { keep: { fraction: 0.2 }, ...a });
const bad =
  (a: Record<string, unknown>, fn = 'wgsef') =>
  () =>
    resolvePlanOptions(fn, { keep: { fraction: 0.2 }, ...a });

describe('resolvePlanOptions: defaults', () => {
  it("numeric lambda: no controller, constant schedule; 'auto': the controller with defaults", () => {
    expect(ok({ lambda: 1e-3 })).toMatchObject({
      auto: false,
      targetStep: undefined,
      sparsitySchedule: { type: 'constant', beginStep: 0 },
    });
    const a = ok({ lambda: 'auto' });
    expect(a.auto).toBe(true);
    expect(a.autoLambda).toEqual(AUTO_LAMBDA_DEFAULTS);
    expect(ok({ lambda: 'auto', targetEpoch: 2.5 }).targetEpoch).toBe(2.5);
    expect(ok({ lambda: 'auto', autoLambda: { rhoEnd: 0.02 } }).autoLambda.rhoEnd).toBe(0.02);
  });
  it('fills in the polynomial schedule like Keras PolynomialDecay (power 3, from 0)', () => {
    expect(
      ok({ lambda: 1e-3, sparsitySchedule: { type: 'polynomial', endStep: 100 } }).sparsitySchedule,
    ).toEqual({
      type: 'polynomial',
      initialSparsity: 0,
      beginStep: 0,
      endStep: 100,
      power: 3,
      frequency: 1,
    });
    expect(
      ok({ lambda: 1e-3, sparsitySchedule: { type: 'constant', beginStep: 5 } }).sparsitySchedule,
    ).toEqual({
      type: 'constant',
      beginStep: 5,
    });
  });
});

describe('resolvePlanOptions: every wrong input names its option', () => {
  const cases: [string, Record<string, unknown>, RegExp, string?][] = [
    ['a misspelt auto', { lambda: 'automatic' }, /lambda must be .*'auto', got 'automatic'/],
    [
      "'auto' on groupLasso",
      { lambda: 'auto' },
      /groupLasso: lambda: 'auto' is supported by wgsef/,
      'groupLasso',
    ],
    ["'auto' with subgradient", { lambda: 'auto', gradient: 'subgradient' }, /needs gradient: 'prox'/],
    ['targetStep 0', { lambda: 'auto', targetStep: 0 }, /targetStep must be an integer >= 1, got 0/],
    ['targetStep 2.5', { lambda: 'auto', targetStep: 2.5 }, /targetStep must be an integer >= 1, got 2.5/],
    [
      'targetStep a string',
      { lambda: 'auto', targetStep: '100' },
      /targetStep must be an integer >= 1, got '100'/,
    ],
    [
      'targetEpoch -1',
      { lambda: 'auto', targetEpoch: -1 },
      /targetEpoch must be a finite number > 0, got -1/,
    ],
    [
      'both targets',
      { lambda: 'auto', targetStep: 10, targetEpoch: 1 },
      /targetStep or targetEpoch, not both/,
    ],
    [
      'targetStep with a number',
      { lambda: 1e-3, targetStep: 10 },
      /targetStep sets when lambda: 'auto'.*drop targetStep/,
    ],
    [
      'autoLambda with a number',
      { lambda: 1e-3, autoLambda: {} },
      /autoLambda tunes the controller.*lambda is 0.001/,
    ],
    ['autoLambda not an object', { lambda: 'auto', autoLambda: 3 }, /autoLambda must be an object/],
    [
      'autoLambda unknown key',
      { lambda: 'auto', autoLambda: { rho: 1 } },
      /unknown key\(s\) rho in autoLambda; known keys are rhoEnd/,
    ],
    [
      'rhoEnd 0',
      { lambda: 'auto', autoLambda: { rhoEnd: 0 } },
      /autoLambda.rhoEnd must be a number in \(0, 1\), got 0/,
    ],
    [
      'maxRate 2',
      { lambda: 'auto', autoLambda: { maxRate: 2 } },
      /autoLambda.maxRate must be a number in \[0, 1\] \(0: from the step budget\), got 2/,
    ],
    [
      'maxShrink NaN',
      { lambda: 'auto', autoLambda: { maxShrink: Number.NaN } },
      /autoLambda.maxShrink must be/,
    ],
    [
      'maxShrinkGrowth below 1',
      { lambda: 'auto', autoLambda: { maxShrinkGrowth: 0.5 } },
      /autoLambda.maxShrinkGrowth must be a finite number >= 1, got 0.5/,
    ],
    [
      'schedule type',
      { lambda: 1e-3, sparsitySchedule: { type: 'cubic' } },
      /sparsitySchedule must be \{ type: 'constant'/,
    ],
    ['schedule string', { lambda: 1e-3, sparsitySchedule: 'polynomial' }, /sparsitySchedule must be/],
    [
      'schedule unknown key',
      { lambda: 1e-3, sparsitySchedule: { type: 'constant', endStep: 3 } },
      /unknown key\(s\) endStep in sparsitySchedule/,
    ],
    [
      'initialSparsity 1',
      { lambda: 1e-3, sparsitySchedule: { type: 'polynomial', initialSparsity: 1 } },
      /sparsitySchedule.initialSparsity must be a number in \[0, 1\)/,
    ],
    [
      'beginStep -1',
      { lambda: 1e-3, sparsitySchedule: { type: 'constant', beginStep: -1 } },
      /sparsitySchedule.beginStep must be an integer >= 0/,
    ],
    [
      'frequency 0',
      { lambda: 1e-3, sparsitySchedule: { type: 'polynomial', frequency: 0 } },
      /sparsitySchedule.frequency must be an integer >= 1/,
    ],
    [
      'endStep <= beginStep',
      { lambda: 1e-3, sparsitySchedule: { type: 'polynomial', beginStep: 10, endStep: 10 } },
      /endStep \(10\) must be greater than sparsitySchedule.beginStep \(10\)/,
    ],
  ];
  it.each(cases)('%s', (_name, args, message, fn) => {
    expect(bad(args, fn)).toThrow(message);
  });
});
