/**
 * HSPG, the half-space stochastic projected gradient method, as a `tf.Optimizer` for `model.compile`.
 *
 * - Stage 1 (before the switch): prox-SGD. An SGD step (optionally with momentum) on the data-loss gradient,
 *   then `prox_{lr * lambda_t * R}` on the regularized groups (R = WGSEF or group lasso).
 * - Stage 2: for groups that are nonzero, the trial step `x_hat = x - lr * (grad_f + lambda_t * grad R)`
 *   (with momentum, `grad_f` is replaced by the momentum buffer of the data gradient, as in stage 1; the
 *   regularizer term is not accumulated, so its strength is the same in both stages); zero groups stay
 *   zero; each group that was
 *   nonzero is set to zero when `dot(x_hat_g, x_g) < epsilon * ||x_g||^2` (the half-space projection), but
 *   never below the regularizer's keep floor: k_l per layer (scope 'layer'), k in total and
 *   `minGroupsPerLayer` per layer (scope 'global'), `minGroupsPerLayer` per layer without a budget. When the
 *   floor binds, the groups with the most negative normalized margin `dot(x_hat_g, x_g) / ||x_g||^2` are
 *   projected first; the rest keep their trial step.
 *   Variables outside the groups take a plain (momentum) SGD step in both stages.
 *
 * Per step: one reduction per regularized variable and ONE download of at most 3m group sums.
 *
 * reference: Chen et al., "Only Train Once" (2021) / HSPG (2020); docs/concepts/hspg.md.
 */
import { isGroupRegularizer, type ScalarOrSchedule } from '@klevel/wgsef';
import {
  checkScalarOrSchedule,
  groupProductSums,
  type KlevelRegularizer,
  registerKlevelClass,
  scaleTerm,
  valueAt,
} from '@klevel/wgsef/extend';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { halfSpaceDecision } from './half-space';
import { keepFloorOf } from './keep-floor';
import { OptimizerState } from './optimizer-state';
import {
  type HspgArgs,
  type RegularizerStep,
  type ResolvedHspgArgs,
  resolveHspgArgs,
  type SwitchAt,
} from './options';

/** A named tensor, as tfjs optimizers exchange them. */
interface NamedTensor {
  name: string;
  tensor: tf.Tensor;
}

type NamedGradients = tf.NamedTensorMap | NamedTensor[];

const STAGE_WEIGHT = 'hspg/stage';
const EPOCH_WEIGHT = 'hspg/epoch';
const SLOT_SUFFIX = '/hspg_momentum';

/**
 * The HSPG optimizer. Create it with {@link hspg}. Its `regularizer` must be attached to the model being
 * trained (`reg.attach(model)`, `optimizer.attach(model)`, or a `proxCallback(reg)` in `fit`).
 */
export class HspgOptimizer extends tf.Optimizer {
  /** Stable serialization name (a persisted format: never renamed). */
  static get className(): string {
    return 'KlevelHspgOptimizer';
  }
  /** Brand read by @klevel/prox-callback: this optimizer applies the regularizer itself. */
  readonly klevelAppliesProx = true;

  readonly momentum: number;
  readonly epsilon: number;
  readonly switchAt: SwitchAt;
  /** How the regularizer enters the stage-2 trial point (`'gradient'` or `'prox'`). */
  readonly regularizerStep: RegularizerStep;
  /** The regularizer (undefined only after loading a model whose regularizer could not be serialized). */
  regularizer: KlevelRegularizer | undefined;
  /** Groups projected to zero by the last step (stage 2). */
  lastProjected = 0;
  /** Groups that failed the half-space test in the last step but were kept by the keep floor (stage 2). */
  lastHeld = 0;

  private epoch: number | undefined;
  private manualStage: 1 | 2 | undefined;
  private rate: ScalarOrSchedule;
  /** The scalars saved with the slots (reused by every save, so a checkpoint leaks nothing). */
  private readonly state = new OptimizerState();
  private slots = new Map<string, tf.Variable>();
  private pendingSlots: tf.Tensor[] | undefined;
  /** Variable names in the order of the last applyGradients call (the order slots are saved in). */
  private itemOrder: string[] = [];

  constructor(args: HspgArgs) {
    super();
    registerKlevelClass(HspgOptimizer);
    const r: ResolvedHspgArgs = resolveHspgArgs(args);
    this.regularizer = r.regularizer;
    this.rate = r.learningRate;
    this.momentum = r.momentum;
    this.epsilon = r.epsilon;
    this.switchAt = r.switchAt;
    this.regularizerStep = r.regularizerStep;
  }

  /**
   * The step size of the next step: the number set, or the schedule at the current iteration. Set it
   * between steps (e.g. from a schedule callback) to a finite number > 0, or to a schedule `(step) => number`.
   */
  get learningRate(): number {
    return valueAt('HspgOptimizer', 'learningRate', this.rate, this.iterations, '> 0');
  }

  set learningRate(value: ScalarOrSchedule) {
    this.rate = checkScalarOrSchedule('HspgOptimizer', 'learningRate', value, '> 0');
  }

  /** Attaches the regularizer to `model` (needed after `loadLayersModel`). @returns this */
  attach(model: tfl.LayersModel): this {
    this.requireRegularizer().attach(model);
    return this;
  }

  /** Replaces the regularizer (e.g. after loading a model whose regularizer had a schedule function). */
  setRegularizer(regularizer: KlevelRegularizer): this {
    if (!isGroupRegularizer(regularizer)) {
      throw new TypeError(
        'HspgOptimizer.setRegularizer: expected a regularizer from wgsef() or groupLasso().',
      );
    }
    this.regularizer = regularizer;
    return this;
  }

  /** Tells the optimizer the current epoch (ProxCallback does this on every epoch begin). */
  setEpoch(epoch: number): void {
    if (!Number.isInteger(epoch) || epoch < 0)
      throw new RangeError(`HspgOptimizer.setEpoch: expected an integer >= 0, got ${epoch}.`);
    this.epoch = epoch;
  }

  /** Switches to the half-space stage now (any `switchAt`). */
  switchToHalfSpace(): void {
    this.manualStage = 2;
  }

  /** The stage the next step runs: 1 (prox-SGD) or 2 (half-space). */
  get stage(): 1 | 2 {
    if (this.manualStage) return this.manualStage;
    const s = this.switchAt;
    if (s === 'manual') return 1;
    if ('step' in s) return this.iterations >= s.step ? 2 : 1;
    if (this.epoch === undefined) {
      throw new Error(
        'HspgOptimizer: switchAt { epoch } needs the current epoch; add proxCallback(reg) to fit callbacks (it forwards epochs) or call optimizer.setEpoch(epoch).',
      );
    }
    return this.epoch >= s.epoch ? 2 : 1;
  }

  private requireRegularizer(): KlevelRegularizer {
    if (!this.regularizer) {
      throw new Error(
        'HspgOptimizer: no regularizer. It was not serializable (a function option) when the model was saved; call optimizer.setRegularizer(reg).attach(model).',
      );
    }
    return this.regularizer;
  }

  override applyGradients(variableGradients: NamedGradients): void {
    const items = Array.isArray(variableGradients)
      ? variableGradients
      : Object.keys(variableGradients).map((name) => ({
          name,
          tensor: variableGradients[name] as tf.Tensor,
        }));
    const reg = this.requireRegularizer();
    if (!reg.isAttached) {
      throw new Error(
        'HspgOptimizer: the regularizer is not attached to a model; call optimizer.attach(model) (or reg.attach(model)) before fit, e.g. after tfl.loadLayersModel.',
      );
    }
    const termOf = this.checkVariables(items, reg);
    this.bindPendingSlots(items);
    this.itemOrder = items.map((i) => i.name);
    const step = this.iterations;
    const lr = this.learningRate;
    if (this.stage === 1) {
      tf.tidy(() => {
        for (const { name, tensor: g } of items) this.sgdStep(name, g, lr);
      });
      reg.prox(lr, { step }); // throws on non-finite weights; the binding remembers the norms it wrote
      this.incrementIterations();
    } else {
      this.halfSpaceStep(items, termOf, reg, step, lr);
      this.incrementIterations();
    }
  }

  private variable(name: string): tf.Variable {
    const v = tf.engine().registeredVariables[name];
    if (!v) throw new Error(`HspgOptimizer: no variable named '${name}' is registered.`);
    return v;
  }

  private slot(name: string, like: tf.Tensor): tf.Variable {
    let s = this.slots.get(name);
    if (!s) {
      s = tf.variable(tf.zerosLike(like), false, `${name}${SLOT_SUFFIX}_${this.slots.size}`);
      this.slots.set(name, s);
    }
    return s;
  }

  /** Plain (momentum) SGD step of one variable; call inside tidy. */
  private sgdStep(name: string, g: tf.Tensor, lr: number): void {
    const x = this.variable(name);
    let d = g;
    if (this.momentum > 0) {
      const s = this.slot(name, x);
      d = tf.add(tf.mul(this.momentum, s), g);
      s.assign(d);
    }
    x.assign(tf.sub(x, tf.mul(lr, d)));
  }

  private halfSpaceStep(
    items: NamedTensor[],
    termOf: Map<string, number>,
    reg: KlevelRegularizer,
    step: number,
    lr: number,
  ): void {
    const { terms } = reg.binding;
    const vars = reg.binding.variables();
    const grads = terms.map((t) => (items.find((i) => i.name === t.variableName) as NamedTensor).tensor);
    const mu = this.momentum;
    const pairs: Array<Array<readonly [tf.Tensor, tf.Tensor]>> = [
      vars.map((x) => [x, x] as const),
      grads.map((g, t) => [g, vars[t] as tf.Tensor] as const),
    ];
    if (mu > 0)
      pairs.push(
        vars.map((x, t) => [this.slot((terms[t] as { variableName: string }).variableName, x), x] as const),
      );
    const [sq, gd, md] = groupProductSums(terms, reg.binding.numGroups, pairs) as [
      Float64Array,
      Float64Array,
      Float64Array?,
    ];
    const norms = sq.map(Math.sqrt);
    reg.checkFinite(norms, `at step ${step}`);
    checkFiniteGradient(reg, gd, md, step);
    const factors = reg.gradientFactors(norms, step);
    // the regularizer's multiplier of x_g in the trial point: explicit gradient step, or the prox ratio
    // (1 on zero groups, as 1 - lr * 0: a group whose squared norm underflows is left as it is)
    const shrink =
      this.regularizerStep === 'prox'
        ? reg
            .proxOfNorms(norms, lr, step)
            .map((t, j) => ((norms[j] as number) > 0 ? t / (norms[j] as number) : 1))
        : factors.map((f) => 1 - lr * f);
    const dec = halfSpaceDecision({
      sqNorms: sq,
      gradDots: gd,
      momentumDots: md,
      factors,
      shrink,
      learningRate: lr,
      momentum: mu,
      epsilon: this.epsilon,
      floor: keepFloorOf(reg),
    });
    tf.tidy(() => {
      for (const { name, tensor: g } of items) {
        const t = termOf.get(name);
        if (t === undefined) {
          this.sgdStep(name, g, lr);
          continue;
        }
        const term = terms[t] as (typeof terms)[number];
        const x = vars[t] as tf.Variable;
        // Momentum accumulates the data gradient only (as in stage 1, where the regularizer enters through
        // the prox with step lr): the regularizer's pull keeps the same strength in both stages.
        const mNew = mu > 0 ? tf.add(tf.mul(mu, this.slot(name, x)), g) : g;
        // x_hat = r_g x_g - lr m_g on nonzero groups (zero groups stay zero), x - lr m outside the groups
        const xHat = tf.sub(scaleTerm(term, x, shrink), tf.mul(lr, scaleTerm(term, mNew, dec.nonzero)));
        x.assign(scaleTerm(term, xHat, dec.keep));
        if (mu > 0) this.slot(name, x).assign(scaleTerm(term, mNew, dec.keep));
      }
    });
    this.lastProjected = dec.projected;
    this.lastHeld = dec.held;
  }

  /** Maps gradient names to term indices; throws when the regularizer and the gradients disagree. */
  private checkVariables(items: NamedTensor[], reg: KlevelRegularizer): Map<string, number> {
    const names = new Set(items.map((i) => i.name));
    const termOf = new Map<string, number>();
    const missing: string[] = [];
    reg.binding.terms.forEach((term, t) => {
      if (names.has(term.variableName)) termOf.set(term.variableName, t);
      else missing.push(term.variableName);
    });
    if (termOf.size === 0) {
      throw new Error(
        `HspgOptimizer: none of the regularizer's variables (${reg.binding.terms
          .slice(0, 3)
          .map((t) => t.variableName)
          .join(
            ', ',
          )}, ...) are among the variables this optimizer updates (${[...names].slice(0, 3).join(', ')}, ...). ` +
          'The regularizer is attached to a different model: call optimizer.attach(model) with the model being trained.',
      );
    }
    if (missing.length > 0) {
      throw new Error(
        `HspgOptimizer: the regularized variable(s) ${missing.join(', ')} get no gradient (a frozen layer, or another model). Make the layer trainable, or exclude it from the regularizer.`,
      );
    }
    return termOf;
  }

  private bindPendingSlots(items: NamedTensor[]): void {
    const pending = this.pendingSlots;
    if (!pending) return;
    this.pendingSlots = undefined;
    if (pending.length === 0) return;
    if (pending.length !== items.length) {
      tf.dispose(pending);
      throw new Error(
        `HspgOptimizer: the restored optimizer state has ${pending.length} momentum slots but the model has ${items.length} trainable variables; load it into the same architecture.`,
      );
    }
    items.forEach(({ name, tensor }, i) => {
      const p = pending[i] as tf.Tensor;
      if (!tf.util.arraysEqual(p.shape, tensor.shape)) {
        throw new Error(
          `HspgOptimizer: restored slot ${i} has shape [${p.shape}] but variable '${name}' has [${tensor.shape}].`,
        );
      }
      this.slots.get(name)?.dispose();
      this.slots.set(name, tf.variable(p, false, `${name}${SLOT_SUFFIX}_r${i}`));
      p.dispose();
    });
  }

  override async getWeights(): Promise<NamedTensor[]> {
    const out: NamedTensor[] = this.state.write([
      ['iter', this.iterations, 'int32'],
      [STAGE_WEIGHT, this.manualStage ?? 0, 'float32'],
      [EPOCH_WEIGHT, this.epoch ?? -1, 'float32'],
    ]);
    // Slots are saved in the order of the gradient list, which is how setWeights binds them again.
    const names = [
      ...this.itemOrder.filter((n) => this.slots.has(n)),
      ...[...this.slots.keys()].filter((n) => !this.itemOrder.includes(n)),
    ];
    for (const name of names)
      out.push({ name: `${name}${SLOT_SUFFIX}`, tensor: this.slots.get(name) as tf.Variable });
    // Restored but not yet bound (no step since setWeights): keep them, in order.
    this.pendingSlots?.forEach((t, i) => {
      out.push({ name: `pending${i}${SLOT_SUFFIX}`, tensor: t });
    });
    return out;
  }

  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    const rest = await this.extractIterations(weightValues);
    const slots: tf.Tensor[] = [];
    for (const { name, tensor } of rest) {
      if (name === STAGE_WEIGHT) {
        const v = tensor.dataSync()[0];
        this.manualStage = v === 1 || v === 2 ? v : undefined;
      } else if (name === EPOCH_WEIGHT) {
        const v = tensor.dataSync()[0] as number;
        this.epoch = v >= 0 ? v : undefined;
      } else if (name.endsWith(SLOT_SUFFIX)) {
        slots.push(tf.clone(tensor));
      }
    }
    for (const s of this.slots.values()) s.dispose();
    this.slots.clear();
    if (this.pendingSlots) tf.dispose(this.pendingSlots);
    this.pendingSlots = slots;
  }

  override dispose(): void {
    super.dispose();
    this.state.dispose();
    for (const s of this.slots.values()) s.dispose();
    this.slots.clear();
    if (this.pendingSlots) tf.dispose(this.pendingSlots);
    this.pendingSlots = undefined;
  }

  override getConfig(): tf.serialization.ConfigDict {
    const reg = this.regularizer;
    const problem = reg?.serializationProblem();
    const s = this.switchAt;
    const switchStep = s !== 'manual' && 'step' in s ? s.step : -1;
    const switchEpoch = s !== 'manual' && 'epoch' in s ? s.epoch : -1;
    return {
      learningRate: this.learningRate,
      momentum: this.momentum,
      epsilon: this.epsilon,
      switchStep,
      switchEpoch,
      regularizerStep: this.regularizerStep,
      regularizer:
        reg && !problem
          ? {
              className: (reg.constructor as unknown as { className: string }).className,
              config: reg.getConfig(),
            }
          : null,
    };
  }

  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    let regularizer: KlevelRegularizer | undefined;
    const rc = config.regularizer as { className: string; config: tf.serialization.ConfigDict } | null;
    if (rc) {
      const entry = tf.serialization.SerializationMap.getMap().classNameMap[rc.className];
      if (!entry) {
        throw new Error(
          `HspgOptimizer.fromConfig: regularizer class '${rc.className}' is not registered; import '@klevel/wgsef/register' before loading.`,
        );
      }
      regularizer = entry[1](entry[0], rc.config) as unknown as KlevelRegularizer;
    }
    const switchStep = config.switchStep as number;
    const switchEpoch = config.switchEpoch as number;
    const switchAt: SwitchAt =
      switchStep >= 0 ? { step: switchStep } : switchEpoch >= 0 ? { epoch: switchEpoch } : 'manual';
    const args = {
      regularizer,
      learningRate: config.learningRate,
      momentum: config.momentum,
      epsilon: config.epsilon,
      switchAt,
      // configs saved before the option existed were trained with the gradient step
      regularizerStep: config.regularizerStep ?? 'gradient',
      allowMissingRegularizer: true,
    };
    return new cls(args as unknown as HspgArgs);
  }
}

/** Throws, naming the layers, when the data gradient (or the momentum) of a regularized group is not finite. */
function checkFiniteGradient(
  reg: KlevelRegularizer,
  gradDots: Float64Array,
  momentumDots: Float64Array | undefined,
  step: number,
): void {
  const { layerOf, layerNames } = reg.binding.layout;
  const bad = new Set<string>();
  gradDots.forEach((d, j) => {
    if (!Number.isFinite(d) || (momentumDots && !Number.isFinite(momentumDots[j] as number))) {
      bad.add(layerNames[layerOf[j] as number] as string);
    }
  });
  if (bad.size === 0) return;
  throw new Error(
    `HspgOptimizer: the gradient of the regularized weights of layer${bad.size > 1 ? 's' : ''} ${[...bad].map((n) => `'${n}'`).join(', ')} is not finite (NaN or Infinity) at step ${step}: the loss diverged or the inputs contain NaN; the step was not applied. ` +
      'Lower the learning rate, check the inputs and labels for NaN, or restore the last good checkpoint.',
  );
}

/**
 * Creates an {@link HspgOptimizer} for `model.compile`.
 * @param args.regularizer From `wgsef()` or `groupLasso()` (with `gradient: 'prox'`, the default).
 * @param args.learningRate Step size (> 0), or a schedule `(step) => number` (the type proxCallback takes).
 * @param args.momentum Heavy-ball momentum in [0, 1). Defaults to 0.
 * @param args.epsilon Half-space aggressiveness in [0, 1). Defaults to 0.
 * @param args.regularizerStep How the regularizer enters the stage-2 trial point: `'gradient'`
 *   (`x - lr lambda grad R`, the paper's explicit step) or `'prox'` (`prox_{lr lambda R}(x)`, the step of
 *   stage 1; stable for any lr). Defaults to `'gradient'`.
 * @param args.switchAt `{ step }`, `{ epoch }` (needs proxCallback or setEpoch) or `'manual'`
 *   (`switchToHalfSpace()`). Defaults to `{ step: 0 }`: the half-space stage from the first step, for use
 *   after a prox-SGD phase.
 * @example
 * const reg = wgsef({ groups: 'filters', keep: { fraction: 0.3 }, lambda: 1e-2 });
 * model.compile({ optimizer: hspg({ regularizer: reg, learningRate: 0.01, switchAt: { epoch: 5 } }), loss: 'categoricalCrossentropy' });
 * await model.fit(x, y, { epochs: 10, callbacks: [proxCallback(reg)] });
 */
export function hspg(args: HspgArgs): HspgOptimizer {
  return new HspgOptimizer(args);
}
