/**
 * Sparsity schedules, as users of Keras' pruning API know them: the number of groups the prox keeps at a
 * training step. Pure functions (no tensors).
 *
 * - `{ type: 'constant', beginStep }` (Keras `ConstantSparsity`): no prox before `beginStep`, then the
 *   final k from `beginStep` on.
 * - `{ type: 'polynomial', initialSparsity, beginStep, endStep, power, frequency }` (Keras
 *   `PolynomialDecay`): no prox before `beginStep`; from there the sparsity rises from `initialSparsity` to
 *   the final one (set by `keep`) as `s_t = s_end + (s_0 - s_end) (1 - p)^power`, with
 *   `p = (t - beginStep) / (endStep - beginStep)` clamped to [0, 1] and updated every `frequency` steps.
 *   The kept count of a unit of m groups and final k is `round(m (1 - s_t))`, never below k.
 *
 * `endStep` defaults to the training's target step (`targetStep`, `targetEpoch`, or the end of the fit).
 */

/** A sparsity schedule (see the module comment). */
export type SparsitySchedule =
  | { type: 'constant'; beginStep?: number }
  | {
      type: 'polynomial';
      initialSparsity?: number;
      beginStep?: number;
      endStep?: number;
      power?: number;
      frequency?: number;
    };

/** A validated schedule with its defaults (endStep may still come from the fit). */
export type ResolvedSparsitySchedule =
  | { type: 'constant'; beginStep: number }
  | {
      type: 'polynomial';
      initialSparsity: number;
      beginStep: number;
      endStep: number | undefined;
      power: number;
      frequency: number;
    };

/** The constant schedule from step 0 (the default: today's behaviour). */
export const CONSTANT_SPARSITY: ResolvedSparsitySchedule = Object.freeze({
  type: 'constant',
  beginStep: 0,
}) as ResolvedSparsitySchedule;

/** True when the prox runs at `step` (false before `beginStep`). */
export function scheduleActive(schedule: ResolvedSparsitySchedule, step: number): boolean {
  return step >= schedule.beginStep;
}

/**
 * Progress of a polynomial schedule at `step`, in [0, 1], quantized to its frequency.
 * @param endStep the resolved end step (> beginStep).
 */
export function scheduleProgress(schedule: ResolvedSparsitySchedule, step: number, endStep: number): number {
  if (schedule.type === 'constant') return 1;
  const span = endStep - schedule.beginStep;
  if (!(span > 0)) return 1;
  const since = Math.max(0, step - schedule.beginStep);
  const q = Math.floor(since / schedule.frequency) * schedule.frequency;
  return Math.min(1, q / span);
}

/**
 * Groups a unit keeps at `step`: the final `k` for a constant schedule, else `round(m (1 - s_t))`
 * clamped to [k, m].
 * @example keptAt({ type: 'polynomial', initialSparsity: 0, beginStep: 0, endStep: 100, power: 3, frequency: 1 }, 50, 100, 20, 100) // 30
 */
export function keptAt(
  schedule: ResolvedSparsitySchedule,
  step: number,
  m: number,
  k: number,
  endStep: number,
): number {
  if (schedule.type === 'constant') return k;
  const p = scheduleProgress(schedule, step, endStep);
  const sEnd = 1 - k / m;
  const s0 = Math.min(schedule.initialSparsity, sEnd);
  const s = sEnd + (s0 - sEnd) * (1 - p) ** schedule.power;
  return Math.min(m, Math.max(k, Math.round(m * (1 - s))));
}
