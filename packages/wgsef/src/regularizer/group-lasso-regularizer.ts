/**
 * The group-lasso regularizer for a whole tfjs-layers model, `lambda * sum_j w_j ||x_{G_j}||`, with the same
 * options and operations as the WGSEF regularizer (the classic baseline for HSPG).
 *
 * reference: Yuan, Lin, "Model selection and estimation in regression with grouped variables", JRSS-B 2006;
 * docs/concepts/k-level-sparsity.md.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { ModelBinding } from './binding';
import { GroupRegularizer } from './group-regularizer';
import type { GroupRegularizerArgs } from './options';
import { type GroupPenalty, groupLassoPenalty } from './penalty';
import { configOf, fromConfigArgs } from './serialize';
import { registerKlevelClass } from './serializable';

/**
 * `lambda * sum_{j not in P} w_j ||x_{G_j}||`, where `P` holds the `minGroupsPerLayer` largest weighted
 * norms of each layer (exempt, so no layer is emptied; `minGroupsPerLayer: 0` gives the plain group lasso).
 * Its prox is the group soft threshold `t_j = max(0, a_j - lambda w_j)`. `keep` is optional and only used
 * by `finalize()`. Create it with {@link groupLasso}.
 */
export class GroupLassoRegularizer extends GroupRegularizer {
  /** Stable serialization name (a persisted format: never renamed). */
  static get className(): string {
    return 'KlevelGroupLassoRegularizer';
  }
  readonly name = 'group_lasso';
  protected readonly fn = 'groupLasso';

  constructor(args: GroupRegularizerArgs) {
    super('groupLasso', args, false);
    registerKlevelClass(GroupLassoRegularizer);
  }

  protected makePenalty(binding: ModelBinding): GroupPenalty {
    const { layout } = binding;
    return groupLassoPenalty({
      weights: layout.weights,
      layerGroups: layout.layerGroups,
      floors: binding.floors,
      units: binding.units,
      unitOf: binding.unitOf,
    });
  }

  /** JSON-safe options (throws for options tfjs cannot serialize: functions and ready partitions). */
  override getConfig(): tf.serialization.ConfigDict {
    return configOf('groupLasso', this.options);
  }

  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    return new cls(fromConfigArgs(config));
  }
}

/**
 * Creates a group-lasso regularizer with the same options as {@link wgsef} (`keep` optional, used by
 * `finalize()` only).
 * @example
 * const reg = groupLasso({ groups: 'filters', lambda: 1e-3, keep: { fraction: 0.5 } });
 * await model.fit(x, y, { callbacks: [proxCallback(reg)] });
 */
export function groupLasso(args: GroupRegularizerArgs): GroupLassoRegularizer {
  return new GroupLassoRegularizer(args);
}
