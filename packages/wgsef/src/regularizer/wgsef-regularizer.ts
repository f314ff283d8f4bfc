/**
 * The WGSEF regularizer for a whole tfjs-layers model: `lambda * WGSEF_k` over the groups of each layer
 * (scope 'layer', the paper's setting) or over all groups with one budget and a per-layer floor
 * (scope 'global').
 *
 * reference: Refael, Arbel, Huleihel, "Learning k-Level Structured Sparse Neural Networks Using Group
 * Envelope Regularization", TMLR 2024; docs/concepts/k-level-sparsity.md.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { ModelBinding } from './binding';
import { GroupRegularizer } from './group-regularizer';
import type { WgsefOptions } from './options';
import { type GroupPenalty, wgsefPenalty } from './penalty';
import { configOf, fromConfigArgs } from './serialize';
import { registerKlevelClass } from './serializable';

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
  /** WGSEF keeps k groups per unit for any strength; the keep floor checks it after every prox. */
  protected override readonly keepsFloor = true;

  constructor(args: WgsefOptions) {
    super('wgsef', args, true);
    registerKlevelClass(WgsefRegularizer);
  }

  protected makePenalty(binding: ModelBinding): GroupPenalty {
    const { budget, layout } = binding;
    const floors = budget?.scope === 'global' ? budget.floors : new Int32Array(layout.layerNames.length);
    if (budget?.scope === 'global') {
      const floorTotal = floors.reduce((s, f) => s + f, 0);
      if (floorTotal > 0 && budget.total <= floorTotal) {
        throw new RangeError(
          `wgsef: keep ${budget.total} groups globally equals the floor (${floorTotal} groups: minGroupsPerLayer over ${layout.layerNames.length} layers), which leaves nothing to choose; use scope: 'layer' with keep: { count: ${floors[0]} } instead.`,
        );
      }
    }
    return wgsefPenalty({
      weights: layout.weights,
      layerGroups: layout.layerGroups,
      floors,
      units: binding.units,
      unitOf: binding.unitOf,
    });
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
export function wgsef(args: WgsefOptions): WgsefRegularizer {
  return new WgsefRegularizer(args);
}
