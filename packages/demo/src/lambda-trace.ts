/**
 * The lambda each layer trained with, read from the prox callback's per-batch history: at the first prox,
 * at the switch to HSPG's half-space stage and at the last prox (with `lambda: 'auto'`, what the controller
 * chose). Pure.
 */
import type { ProxHistoryEntry } from '@klevel/prox-callback';

/** lambda per layer at the first prox, at the switch to the half-space stage and at the last prox. */
export interface LambdaTrace {
  first: Record<string, number>;
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
  const first = withLambdas[0];
  const last = withLambdas.at(-1);
  if (!first || !last) return null;
  const atSwitch = withLambdas.filter((h) => h.step < switchStep).at(-1) ?? last;
  const named = (h: ProxHistoryEntry) =>
    Object.fromEntries(units.map((u, i) => [u.name, h.lambdas?.[i] ?? Number.NaN]));
  return { first: named(first), atSwitch: named(atSwitch), last: named(last) };
}
