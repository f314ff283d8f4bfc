/**
 * `prune`: plan + apply + output check + report in one call.
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import { assertFiniteWeights } from '@klevel/groups/extend';
import { type ApplyPlanOptions, applyPlan } from './apply';
import { compareModels, type EquivalenceCheckOptions, type EquivalenceResult } from './equivalence';
import { foldBatchNorm } from './fold-batch-norm';
import { adviseForPruner } from './groups-adapter';
import { type PlanPruningOptions, planPruning } from './plan';
import type { PruningPlan } from './plan-types';
import { buildReport, type PruningReport } from './report';
import { expectLayersModel } from './topology';

/** Options of {@link prune}: planning, surgery and the output check. */
export interface PruneOptions extends PlanPruningOptions, ApplyPlanOptions {
  /** Apply this (reviewed or edited) plan instead of planning. Defaults to planning with the options. */
  plan?: PruningPlan;
  /** The output check; `false` skips it (e.g. when `select`/`keep`/`tolerance` remove non-zero groups). Defaults to {}. */
  check?: EquivalenceCheckOptions | false;
  /**
   * After pruning, fold every BatchNormalization that directly follows a linear Conv/Dense into it (see
   * {@link foldBatchNorm}; for deployment, not for further training with BatchNorm). The fold is always
   * verified; `check` then compares the final model with the original. Defaults to false.
   */
  foldBatchNorm?: boolean;
}

/** What {@link prune} returns. */
export interface PruneResult {
  /** The new, smaller model (not compiled; the caller owns and disposes it). */
  model: tfl.LayersModel;
  /** The plan that was applied (JSON-serializable). */
  plan: PruningPlan;
  /** Costs before/after, groups removed, compression ratio and the measured output difference. */
  report: PruningReport;
}

/**
 * Removes every structurally removable group whose parameters are all zero (by default) and returns a NEW,
 * smaller model; the input model is never modified. The result is checked against the original on random
 * inputs (and optional samples): if the outputs differ by more than `check.tolerance` (relative), the call
 * fails with an error holding the measured difference. Nothing removable and zero: the architecture comes
 * back unchanged (as a new model).
 *
 * @param model A trained, group-sparse model (read only).
 * @param options Planning (`tolerance`, `select`, `keep`, `roundTo`, `exclude`, `groups`), an explicit
 *   `plan`, surgery `handlers`, and the output `check`.
 * @returns `{ model, plan, report }`; `String(report)` is a table of params and MACs before and after.
 * @throws TypeError when `model` is not a LayersModel; Error naming the weight when a weight is NaN or
 *   infinite (a diverged model); UnknownLayerError naming `prune(model, { exclude: [...] })` for a layer
 *   class @klevel/groups does not know; Error with the measured difference when the output check fails.
 * @example
 * const { model: small, report } = await prune(model, { roundTo: 8 });
 * console.log(String(report));
 * await saveModel(small, 'out/pruned');
 */
export async function prune(model: tfl.LayersModel, options: PruneOptions = {}): Promise<PruneResult> {
  expectLayersModel(model, 'prune');
  if (options == null || typeof options !== 'object') {
    throw new TypeError(
      `prune: 'options' must be an object (e.g. { exclude: ['head'] }), got ${String(options)}.`,
    );
  }
  assertFiniteWeights(model, 'prune');
  try {
    return await pruneChecked(model, options);
  } catch (e) {
    throw adviseForPruner(e, 'prune');
  }
}

async function pruneChecked(model: tfl.LayersModel, options: PruneOptions): Promise<PruneResult> {
  const plan = options.plan ?? planPruning(model, options);
  let pruned = await applyPlan(model, plan, options);
  let folded: string[] | undefined;
  if (options.foldBatchNorm === true) {
    try {
      // The fold itself is lossless up to float rounding: verified at 1e-4 (or the looser user tolerance).
      const user = options.check === false ? {} : (options.check ?? {});
      const check = { ...user, tolerance: Math.max(1e-4, user.tolerance ?? 0) };
      const r = await foldBatchNorm(pruned, { check, customObjects: options.customObjects });
      folded = r.folded;
      pruned.dispose();
      pruned = r.model;
    } catch (e) {
      pruned.dispose();
      throw e;
    }
  }
  let equivalence: (EquivalenceResult & { tolerance: number }) | undefined;
  try {
    if (options.check !== false) {
      const check = options.check ?? {};
      const tolerance = check.tolerance ?? 1e-4;
      if (!(tolerance >= 0)) throw new RangeError(`prune: check.tolerance must be >= 0, got ${tolerance}.`);
      const measured = compareModels(pruned, model, check);
      equivalence = { ...measured, tolerance };
      if (!(measured.maxRelativeDifference <= tolerance)) {
        throw new Error(
          `prune: the pruned model's outputs differ from the original's by ${measured.maxRelativeDifference.toExponential(3)} ` +
            `(relative; max absolute ${measured.maxAbsoluteDifference.toExponential(3)}) on ${measured.samples} samples, ` +
            `above check.tolerance ${tolerance}. Likely causes: groups removed that are not exactly zero ` +
            `(tolerance ${options.tolerance ?? 0}, 'select' or 'keep'); an edited plan; a custom surgery or group ` +
            'handler that is not zero-invariant. Pass check: false to accept a lossy pruning (then fine-tune).',
        );
      }
    }
    const report = buildReport(model, pruned, plan, equivalence, options.exclude);
    if (folded !== undefined) report.foldedBatchNorm = folded;
    return { model: pruned, plan, report };
  } catch (e) {
    pruned.dispose();
    throw e;
  }
}
