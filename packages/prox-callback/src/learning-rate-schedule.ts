/**
 * Learning-rate schedules for `model.fit`: a `tfl.Callback` that sets the optimizer's step size before
 * every batch from a function of the global step, plus the two schedules most runs use (cosine decay, step
 * decay). The prox callback reads the optimizer's learning rate every batch, so the prox follows the schedule
 * without further wiring. Works for tfjs SGD/momentum (`setLearningRate`) and for optimizers with a numeric
 * `learningRate` field (HSPG, Adam, RMSProp).
 */
import * as tfl from '@tensorflow/tfjs-layers';

/** A learning rate as a function of the 0-based global step and the total steps of the fit. */
export type LearningRateSchedule = (step: number, totalSteps: number) => number;

function positive(fn: string, name: string, v: unknown, allowZero = false): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (!allowZero && v === 0)) {
    throw new RangeError(
      `${fn}: ${name} must be a finite number ${allowZero ? '>= 0' : '> 0'}, got ${String(v)}.`,
    );
  }
  return v;
}

/**
 * Cosine decay from `initial` to `final` over `steps` (default: every step of the fit), then `final`.
 * @example learningRateScheduler(cosineDecay({ initial: 0.05, final: 5e-4 }))
 */
export function cosineDecay(options: {
  initial: number;
  final?: number;
  steps?: number;
}): LearningRateSchedule {
  const initial = positive('cosineDecay', 'initial', options?.initial);
  const final = positive('cosineDecay', 'final', options.final ?? 0, true);
  const fixed = options.steps === undefined ? undefined : positive('cosineDecay', 'steps', options.steps);
  return (step, totalSteps) => {
    const steps = fixed ?? totalSteps;
    const t = steps > 1 ? Math.min(Math.max(step / (steps - 1), 0), 1) : 0;
    return final + ((initial - final) * (1 + Math.cos(Math.PI * t))) / 2;
  };
}

/**
 * Step decay: `initial * factor^floor(step / every)`.
 * @example learningRateScheduler(stepDecay({ initial: 0.1, factor: 0.1, every: 1000 }))
 */
export function stepDecay(options: { initial: number; factor: number; every: number }): LearningRateSchedule {
  const initial = positive('stepDecay', 'initial', options?.initial);
  const factor = positive('stepDecay', 'factor', options.factor);
  const every = positive('stepDecay', 'every', options.every);
  return (step) => initial * factor ** Math.floor(step / every);
}

/** Options of {@link learningRateScheduler}. */
export interface LearningRateSchedulerOptions {
  /** Global step of this fit's first batch (to continue a schedule across fits). Defaults to 0. */
  stepOffset?: number;
  /** Total steps the schedule spans (default: this fit's epochs x batches per epoch, plus `stepOffset`). */
  totalSteps?: number;
}

interface TunableOptimizer {
  learningRate?: unknown;
  setLearningRate?(lr: number): void;
}

/** The callback behind {@link learningRateScheduler}. */
export class LearningRateScheduler extends tfl.Callback {
  /** Global step of the next batch. */
  step: number;
  /** The learning rate set for the last batch (NaN before the first). */
  current = Number.NaN;
  private total: number | undefined;

  constructor(
    private readonly schedule: LearningRateSchedule,
    private readonly options: LearningRateSchedulerOptions = {},
  ) {
    super();
    if (typeof schedule !== 'function') {
      throw new TypeError(
        `learningRateScheduler: expected a schedule function (step, totalSteps) => number, e.g. cosineDecay({ initial: 0.05 }), got ${String(schedule)}.`,
      );
    }
    this.step = options.stepOffset ?? 0;
    this.total = options.totalSteps;
  }

  override async onTrainBegin(): Promise<void> {
    if (this.options.totalSteps !== undefined) return;
    const p = this.params as { epochs?: number; samples?: number; batchSize?: number; steps?: number };
    const perEpoch = p.steps ?? (p.samples && p.batchSize ? Math.ceil(p.samples / p.batchSize) : undefined);
    this.total = perEpoch && p.epochs ? (this.options.stepOffset ?? 0) + perEpoch * p.epochs : undefined;
  }

  override async onBatchBegin(): Promise<void> {
    const opt = this.model?.optimizer as unknown as TunableOptimizer | undefined;
    if (!opt) {
      throw new Error(
        'learningRateScheduler: the callback has no compiled model; pass it in model.fit callbacks.',
      );
    }
    const lr = this.schedule(this.step, this.total ?? Number.NaN);
    if (typeof lr !== 'number' || !Number.isFinite(lr) || lr < 0) {
      throw new RangeError(
        `learningRateScheduler: the schedule gave ${String(lr)} at step ${this.step}; expected a finite number >= 0.`,
      );
    }
    if (typeof opt.setLearningRate === 'function') opt.setLearningRate(lr);
    else if (typeof opt.learningRate === 'number') opt.learningRate = lr;
    else {
      throw new TypeError(
        `learningRateScheduler: the optimizer (${(opt as { getClassName?: () => string }).getClassName?.() ?? 'unknown'}) has neither setLearningRate() nor a numeric learningRate.`,
      );
    }
    this.current = lr;
  }

  override async onBatchEnd(): Promise<void> {
    this.step++;
  }
}

/**
 * A `model.fit` callback that sets the learning rate before every batch from `schedule(step, totalSteps)`.
 * @example
 * await model.fit(xs, ys, { epochs: 10, callbacks: [learningRateScheduler(cosineDecay({ initial: 0.05 })), proxCallback(reg)] });
 */
export function learningRateScheduler(
  schedule: LearningRateSchedule,
  options: LearningRateSchedulerOptions = {},
): LearningRateScheduler {
  return new LearningRateScheduler(schedule, options);
}
