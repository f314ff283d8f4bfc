/**
 * A per-layer WGSEF / group-lasso penalty usable as `kernelRegularizer` in any tfjs-layers layer: groups are
 * the slices along the kernel's last axis (Conv filters, Dense units). tfjs adds it to the loss and
 * differentiates it (a subgradient method), and saves it in the model topology, so a model built with it
 * saves and loads like one with `tf.regularizers.l2()`.
 *
 * tfjs-layers does not export its `Regularizer` base class, and `getRegularizer` checks `instanceof`, so the
 * base is taken from a built-in regularizer (tfjs-layers keeps it internal).
 *
 * reference: docs/concepts/k-level-sparsity.md.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { LayoutTerm } from '@klevel/groups';
import { sefSplitUnchecked } from '../sef';
import { wgsefGradientFactors } from '../wgsef-factors';
import { countFromFraction } from './budget';
import { groupSquaredNormsOf, scaleTerm } from './device';
import { type KeepSpec, keepToJson, validateKeep } from './options';
import { registerKlevelClass } from './serializable';

/** Options of {@link wgsefKernelRegularizer}. */
export interface KernelRegularizerArgs {
  /** `'wgsef'` (default) or `'group-lasso'`. */
  penalty?: 'wgsef' | 'group-lasso';
  /** Groups to keep in this layer (required for 'wgsef'). */
  keep?: KeepSpec;
  /** Strength >= 0. */
  lambda: number;
  /** `'sqrt-size'` (default) or `'uniform'`. */
  groupWeights?: 'sqrt-size' | 'uniform';
}

interface RegularizerLike {
  apply(x: tf.Tensor): tf.Scalar;
  getConfig(): tf.serialization.ConfigDict;
}
type RegularizerCtor = new () => RegularizerLike;

const RegularizerBase = Object.getPrototypeOf(tfl.regularizers.l2().constructor) as RegularizerCtor;

/**
 * `lambda * WGSEF_k` (or `lambda * sum_j w_j ||W[..., j]||`) of one kernel, as a tfjs-layers Regularizer.
 * Create it with {@link wgsefKernelRegularizer}.
 */
export class WgsefKernelRegularizer extends RegularizerBase {
  /** Stable serialization name (a persisted format: never renamed). */
  static get className(): string {
    return 'KlevelWgsefKernelRegularizer';
  }
  readonly penalty: 'wgsef' | 'group-lasso';
  readonly keep: KeepSpec | undefined;
  readonly lambda: number;
  readonly groupWeights: 'sqrt-size' | 'uniform';

  constructor(args: KernelRegularizerArgs) {
    super();
    registerKlevelClass(WgsefKernelRegularizer);
    const fn = 'wgsefKernelRegularizer';
    if (args === null || typeof args !== 'object') throw new TypeError(`${fn}: expected an options object.`);
    this.penalty = args.penalty ?? 'wgsef';
    if (this.penalty !== 'wgsef' && this.penalty !== 'group-lasso') {
      throw new TypeError(`${fn}: penalty must be 'wgsef' or 'group-lasso', got ${String(this.penalty)}.`);
    }
    if (this.penalty === 'wgsef' && args.keep === undefined) {
      throw new TypeError(`${fn}: 'keep' is required for the WGSEF penalty, e.g. keep: { fraction: 0.5 }.`);
    }
    this.keep = args.keep === undefined ? undefined : validateKeep(fn, args.keep);
    if (typeof args.lambda !== 'number' || !Number.isFinite(args.lambda) || args.lambda < 0) {
      throw new RangeError(`${fn}: lambda must be a finite number >= 0, got ${String(args.lambda)}.`);
    }
    this.lambda = args.lambda;
    this.groupWeights = args.groupWeights ?? 'sqrt-size';
    if (this.groupWeights !== 'sqrt-size' && this.groupWeights !== 'uniform') {
      throw new TypeError(
        `${fn}: groupWeights must be 'sqrt-size' or 'uniform', got ${String(this.groupWeights)}.`,
      );
    }
  }

  /** Value and per-group gradient factors (d penalty / d W[..., j] = f_j W[..., j]) from the norms. */
  private valueAndFactors(norms: Float64Array, groupSize: number): { value: number; factors: Float64Array } {
    const w = this.groupWeights === 'uniform' ? 1 : Math.sqrt(groupSize);
    const m = norms.length;
    const factors = new Float64Array(m);
    if (this.penalty === 'group-lasso') {
      let v = 0;
      norms.forEach((a, j) => {
        v += w * a;
        if (a > 0) factors[j] = (this.lambda * w) / a;
      });
      return { value: this.lambda * v, factors };
    }
    const keep = this.keep as KeepSpec;
    const k = keep.count !== undefined ? keep.count : countFromFraction(keep.fraction, m);
    const weights = new Float64Array(m).fill(w);
    const { value } = sefSplitUnchecked(
      norms.map((a) => w * a),
      k,
    );
    const s = wgsefGradientFactors(norms, weights, k);
    return { value: this.lambda * value, factors: s.map((f) => this.lambda * f) };
  }

  override apply(x: tf.Tensor): tf.Scalar {
    const rank = x.shape.length;
    const m = x.shape[rank - 1] as number;
    const term: LayoutTerm = {
      variableName: '',
      layerName: '',
      weightName: 'kernel',
      shape: x.shape,
      groupAxes: [rank - 1],
      groupIds: Int32Array.from({ length: m }, (_, j) => j),
    };
    const f = tf.customGrad((...args: unknown[]) => {
      const k = args[0] as tf.Tensor;
      const norms = groupSquaredNormsOf([term], m, [k]).map(Math.sqrt);
      const { value, factors } = this.valueAndFactors(norms, x.size / m);
      return {
        value: tf.scalar(value),
        gradFunc: (dy: tf.Tensor) => [tf.mul(dy, scaleTerm(term, k, factors, 0))],
      };
    });
    return (f as (t: tf.Tensor) => tf.Scalar)(x);
  }

  override getConfig(): tf.serialization.ConfigDict {
    const config: tf.serialization.ConfigDict = {
      penalty: this.penalty,
      lambda: this.lambda,
      groupWeights: this.groupWeights,
    };
    if (this.keep) config.keep = keepToJson(this.keep);
    return config;
  }

  static fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    return new cls(config);
  }
}

/**
 * A `kernelRegularizer` for one layer: `lambda * WGSEF_k` over the layer's filters/units (last kernel axis)
 * or, with `penalty: 'group-lasso'`, `lambda * sum_j w_j ||W[..., j]||`. Serializable with the model.
 * For k-level training of a whole model with the exact prox, prefer `wgsef()` with the prox callback.
 * @example
 * tfl.layers.conv2d({ filters: 32, kernelSize: 3, kernelRegularizer: wgsefKernelRegularizer({ keep: { fraction: 0.5 }, lambda: 1e-3 }) })
 */
export function wgsefKernelRegularizer(args: KernelRegularizerArgs): WgsefKernelRegularizer {
  return new WgsefKernelRegularizer(args);
}
