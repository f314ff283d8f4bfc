/**
 * The WGSEF regularizer for a whole tfjs-layers model: `lambda * WGSEF_k` over the groups of each layer
 * (scope 'layer', the paper's setting) or over all groups with one budget and a per-layer floor
 * (scope 'global').
 *
 * reference: Refael, Arbel, Huleihel, "Learning k-Level Structured Sparse Neural Networks Using Group
 * Envelope Regularization", TMLR 2024; shared/docs/wgsef-math.md sections 2-4.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { sefSplitUnchecked } from '../sef';
import { DEFAULT_ROOT_METHOD, weightedSefProxUnchecked } from '../weighted-sef-prox';
import { protectedGroups } from './budget';
import { GroupRegularizer } from './group-regularizer';
import type { GroupLayout } from './layout';
import type { GroupRegularizerArgs } from './options';
import { configOf, fromConfigArgs } from './serialize';

/** Options of {@link wgsef}: the shared group-regularizer options with `keep` required. */
export interface WgsefRegularizerArgs extends GroupRegularizerArgs {
  keep: NonNullable<GroupRegularizerArgs['keep']>;
}

/** One subproblem: a set of groups sharing one k (a layer, or the non-floor groups of the model). */
interface Block {
  members: ArrayLike<number>;
  k: number;
}

/**
 * `lambda * WGSEF_k(x)` with `WGSEF_k(x) = SEF_k(w ⊙ a)`, `a_j = ||x_{G_j}||`.
 *
 * - scope 'layer': `sum_l SEF_{k_l}(w_l ⊙ a_l)`;
 * - scope 'global': the floor groups (the `minGroupsPerLayer` largest weighted norms of each layer) are
 *   ridge-regularized, `1/2 sum_P (w_j a_j)^2`, and the others share `SEF_{k - |P|}`; so the prox keeps at
 *   least k groups in total and never empties a layer.
 *
 * Create it with {@link wgsef}.
 */
export class WgsefRegularizer extends GroupRegularizer {
  /** Stable serialization name (a persisted format: never renamed). */
  static get className(): string {
    return 'KlevelWgsefRegularizer';
  }
  readonly name = 'wgsef';
  protected readonly fn = 'wgsef';

  constructor(args: WgsefRegularizerArgs) {
    super('wgsef', args, true);
  }

  override attach(model: Parameters<GroupRegularizer['attach']>[0]): this {
    super.attach(model);
    const b = this.budget;
    if (b && b.scope === 'global' && b.floor > 0 && b.total <= b.floor * this.layout.layerNames.length) {
      throw new RangeError(
        `wgsef: keep ${b.total} groups globally equals the floor (${b.floor} per layer x ${this.layout.layerNames.length} layers), which leaves nothing to choose; use scope: 'layer' with keep: { count: ${b.floor} } instead.`,
      );
    }
    return this;
  }

  private blocks(norms: Float64Array): { blocks: Block[]; ridge: Uint8Array } {
    const layout: GroupLayout = this.layout;
    const budget = this.budget;
    if (!budget) throw new Error('wgsef: internal error, no keep budget.');
    if (budget.scope === 'layer') {
      return {
        blocks: layout.layerGroups.map((members, l) => ({ members, k: budget.perLayer[l] as number })),
        ridge: new Uint8Array(layout.groups.length),
      };
    }
    const ridge = protectedGroups(norms, layout, budget.floor);
    const rest: number[] = [];
    let nProtected = 0;
    ridge.forEach((p, j) => {
      if (p) nProtected++;
      else rest.push(j);
    });
    return { blocks: [{ members: rest, k: budget.total - nProtected }], ridge };
  }

  protected proxNorms(norms: Float64Array, penalty: number): Float64Array {
    const w = this.layout.weights;
    const t = new Float64Array(norms.length);
    const { blocks, ridge } = this.blocks(norms);
    ridge.forEach((p, j) => {
      if (p) t[j] = (norms[j] as number) / (1 + penalty * (w[j] as number) ** 2);
    });
    for (const { members, k } of blocks) {
      const a = Float64Array.from(members, (j) => norms[j] as number);
      const wb = Float64Array.from(members, (j) => w[j] as number);
      const out = weightedSefProxUnchecked(
        a,
        wb,
        k,
        penalty,
        DEFAULT_ROOT_METHOD,
        new Float64Array(a.length),
      );
      for (let i = 0; i < a.length; i++) t[members[i] as number] = out[i] as number;
    }
    return t;
  }

  protected valueOfNorms(norms: Float64Array): number {
    const w = this.layout.weights;
    const { blocks, ridge } = this.blocks(norms);
    let value = 0;
    ridge.forEach((p, j) => {
      if (p) value += 0.5 * ((w[j] as number) * (norms[j] as number)) ** 2;
    });
    for (const { members, k } of blocks) {
      const b = Float64Array.from(members, (j) => (w[j] as number) * (norms[j] as number));
      if (b.length > 0) value += sefSplitUnchecked(b, k).value;
    }
    return value;
  }

  protected gradientFactorsOfNorms(norms: Float64Array): Float64Array {
    const w = this.layout.weights;
    const s = new Float64Array(norms.length);
    const { blocks, ridge } = this.blocks(norms);
    ridge.forEach((p, j) => {
      if (p && (norms[j] as number) > 0) s[j] = (w[j] as number) ** 2;
    });
    for (const { members, k } of blocks) {
      const b = Float64Array.from(members, (j) => (w[j] as number) * (norms[j] as number));
      if (b.length === 0) continue;
      const { beta, allHead } = sefSplitUnchecked(b, k);
      for (let i = 0; i < b.length; i++) {
        const j = members[i] as number;
        const aj = norms[j] as number;
        const wj = w[j] as number;
        if (!(aj > 0)) continue;
        s[j] = allHead || (b[i] as number) > beta ? wj * wj : (wj * beta) / aj;
      }
    }
    return s;
  }

  /** JSON-safe options (throws for options tfjs cannot serialize: functions and ready partitions). */
  override getConfig(): tf.serialization.ConfigDict {
    return configOf('wgsef', this.options);
  }

  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    return new cls(fromConfigArgs(config));
  }
}

/**
 * Creates a WGSEF regularizer: keep `keep` groups (per layer or globally) and push the rest to exactly zero.
 *
 * The regularizer binds to a model with `reg.attach(model)` (the prox callback and the HSPG optimizer do it
 * when training starts). With the default `gradient: 'prox'` the loss is unchanged and the callback/optimizer
 * applies `prox_{lr lambda WGSEF}` after each step (the paper's Algorithm 2).
 *
 * @param args.groups What a group is, e.g. `'filters'`.
 * @param args.keep `{ count }` or `{ fraction }` of groups to keep (required).
 * @param args.scope `'layer'` (default) or `'global'`.
 * @param args.minGroupsPerLayer Floor per layer in global scope. Defaults to 1.
 * @param args.lambda Strength (>= 0) or schedule `(step) => number`.
 * @param args.groupWeights `'sqrt-size'` (default), `'uniform'` or `(group) => number`.
 * @param args.include / args.exclude Layer names.
 * @param args.gradient `'prox'` (default) or `'subgradient'`.
 * @example
 * const reg = wgsef({ groups: 'filters', keep: { fraction: 0.3 }, lambda: 1e-2 });
 * model.compile({ optimizer: tf.train.sgd(0.01), loss: 'categoricalCrossentropy' });
 * await model.fit(x, y, { epochs: 10, callbacks: [proxCallback(reg)] });
 */
export function wgsef(args: WgsefRegularizerArgs): WgsefRegularizer {
  return new WgsefRegularizer(args);
}
