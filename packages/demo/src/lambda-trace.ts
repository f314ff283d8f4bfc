/**
 * The lambda each layer trained with, read from the prox callback's per-batch history: its first nonzero
 * value, its peak, its value at the switch to HSPG's half-space stage and at the last prox (with
 * `lambda: 'auto'`, what the controller chose; it starts at 0 while a sparsity schedule still keeps every
 * group). Pure.
 */
import type { ProxHistoryEntry } from '@klevel/prox-callback';

/** lambda per layer: first nonzero, peak, at the switch to the half-space stage, at the last prox. */
export interface LambdaTrace {
  first: Record<string, number>;
  peak: Record<string, number>;
  atSwitch: Record<string, number>;
  last: Record<string, number>;
}

/** The lambda of each budget unit at three points of the prox history (null without lambdas). */
export function lambdaTrace(
  history: readonly ProxHistoryEntry[],
  units: readonly { name: string }[],
  switchStep: number,
): LambdaTrace | null {
  const withLambdas = history.filter((h) => h.lambdas !== undefined && !h.finalized);
  const last = withLambdas.at(-1);
  if (!last) return null;
  const atSwitch = withLambdas.filter((h) => h.step < switchStep).at(-1) ?? last;
  const of = (h: ProxHistoryEntry, i: number) => h.lambdas?.[i] ?? Number.NaN;
  const perUnit = (f: (i: number) => number) => Object.fromEntries(units.map((u, i) => [u.name, f(i)]));
  return {
    first: perUnit((i) => of(withLambdas.find((h) => of(h, i) > 0) ?? last, i)),
    peak: perUnit((i) => Math.max(...withLambdas.map((h) => of(h, i)))),
    atSwitch: perUnit((i) => of(atSwitch, i)),
    last: perUnit((i) => of(last, i)),
  };
}
