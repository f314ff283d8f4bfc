/**
 * The training plan of a regularizer: per budget unit and per step, the lambda (the user's number or
 * schedule, or the `'auto'` controller) and the k the prox keeps (the sparsity schedule). Pure host logic;
 * the regularizer asks it before every prox.
 *
 * The target step (where the controller's rho target and a polynomial schedule end) is, in order: the
 * `targetStep` option, `targetEpoch` times the fit's steps per epoch, `sparsitySchedule.endStep` (for the
 * controller), or the fit's total steps (epochs x steps per epoch, read by the prox callback from the fit's
 * params). Without any of them the controller cannot plan and says so.
 */
import { type AutoBlock, type AutoBlockState, AutoLambda, type BlockProx, budgetRate } from './auto-lambda';
import type { ResolvedPlanOptions } from './auto-options';
import { keptAt, scheduleActive } from './sparsity-schedule';

/** A budget unit: the groups sharing one k and one lambda. */
export interface PlanUnit {
  name: string;
  members: ArrayLike<number>;
  /** The final k of the unit. */
  k: number;
}

/** What the fit tells the plan (all optional: the callback passes what `model.fit` knows). */
export interface FitPlan {
  /** Steps of the whole fit (epochs x steps per epoch). */
  totalSteps?: number;
  /** Steps per epoch. */
  stepsPerEpoch?: number;
  /** The global step at which this fit starts (0 unless it resumes). */
  startStep?: number;
}

/** The plan for one prox. */
export interface PlanStep {
  /** False before the schedule's beginStep: no prox at all. */
  active: boolean;
  /** lambda per unit. */
  lambdas: Float64Array;
  /** k per unit for this prox (the final k, or the schedule's current value). */
  ks: Int32Array;
}

/** Without `targetStep`/`targetEpoch`, `'auto'` aims to be done at this share of the fit's steps. */
export const AUTO_FIT_FRACTION = 0.75;
/** Without a user schedule, `'auto'` moves k from m to k (cubic) over this share of its target step. */
export const AUTO_SCHEDULE_FRACTION = 2 / 3;

export class TrainingPlan {
  private fit: FitPlan = {};
  private controller: AutoLambda | undefined;

  constructor(
    private readonly fn: string,
    readonly options: ResolvedPlanOptions,
    private readonly units: readonly PlanUnit[],
    private readonly weights: Float64Array,
    private readonly prox: BlockProx,
    private readonly userLambda: (step: number) => number,
  ) {}

  /** Called when a fit begins; a new fit restarts the controller only if it was never started. */
  beginFit(fit: FitPlan): void {
    this.fit = { ...fit };
  }

  /** The controller's state per unit (undefined unless lambda is 'auto' and it ran). */
  get autoState(): readonly AutoBlockState[] | undefined {
    return this.controller?.blocks;
  }

  /** The resolved target step, or undefined when nothing sets it. */
  targetStep(): number | undefined {
    const o = this.options;
    if (o.targetStep !== undefined) return o.targetStep;
    if (o.targetEpoch !== undefined && this.fit.stepsPerEpoch !== undefined) {
      return Math.max(1, Math.round(o.targetEpoch * this.fit.stepsPerEpoch));
    }
    if (o.sparsitySchedule.type === 'polynomial' && o.sparsitySchedule.endStep !== undefined) {
      return o.sparsitySchedule.endStep;
    }
    if (this.fit.totalSteps !== undefined) {
      // 'auto' finishes at 3/4 of the fit and leaves the rest to train the k kept groups
      const share = o.auto ? AUTO_FIT_FRACTION : 1;
      return (this.fit.startStep ?? 0) + Math.max(1, Math.round(share * this.fit.totalSteps));
    }
    return undefined;
  }

  private requireTarget(what: string): number {
    const t = this.targetStep();
    if (t === undefined) {
      const o = this.options;
      throw new Error(
        `${this.fn}: ${what} needs to know when training ends: ${
          o.targetEpoch !== undefined
            ? 'targetEpoch was given but the steps per epoch are unknown (train with model.fit and proxCallback(reg), or give targetStep)'
            : 'give targetStep or targetEpoch, or train with model.fit and proxCallback(reg) (it reads epochs x steps per epoch from the fit)'
        }.`,
      );
    }
    return t;
  }

  /** The k of every unit at `step`. */
  ksAt(step: number): Int32Array {
    const s = this.options.sparsitySchedule;
    if (s.type === 'constant') return Int32Array.from(this.units, (u) => u.k);
    const end =
      s.endStep ??
      (this.options.scheduleFromAuto
        ? Math.max(s.beginStep + 1, Math.round(AUTO_SCHEDULE_FRACTION * this.requireTarget("lambda: 'auto'")))
        : this.requireTarget("sparsitySchedule 'polynomial'"));
    return Int32Array.from(this.units, (u) => keptAt(s, step, u.members.length, u.k, end));
  }

  /**
   * The plan of the prox after the step `step`.
   * @param norms group norms before the prox (used by the controller).
   * @param lr the step size of the step just taken.
   */
  at(norms: Float64Array, lr: number, step: number): PlanStep {
    const active = scheduleActive(this.options.sparsitySchedule, step);
    const ks = this.ksAt(step);
    if (!this.options.auto) {
      return { active, lambdas: new Float64Array(this.units.length).fill(this.userLambda(step)), ks };
    }
    if (!active) return { active, lambdas: new Float64Array(this.units.length), ks };
    const target = this.requireTarget("lambda: 'auto'");
    const begin = this.options.sparsitySchedule.beginStep;
    if (!this.controller) {
      const settings = { ...this.options.autoLambda };
      if (!(settings.maxRate > 0)) settings.maxRate = budgetRate(target - begin);
      this.controller = new AutoLambda(this.weights, this.prox, settings);
    }
    const blocks: AutoBlock[] = this.units.map((u, i) => ({ members: u.members, k: ks[i] as number }));
    const progress = target > begin ? (step - begin) / (target - begin) : 1;
    return { active, lambdas: this.controller.update(norms, blocks, lr, progress), ks };
  }

  /** The lambdas currently in force (for value, gradient and logs): the controller's last, or the user's. */
  lambdasNow(step: number): Float64Array {
    const st = this.controller?.blocks;
    if (this.options.auto) {
      return Float64Array.from(this.units, (_, i) => st?.[i]?.lambda ?? 0);
    }
    return new Float64Array(this.units.length).fill(this.userLambda(step));
  }
}
