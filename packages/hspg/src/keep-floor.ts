/**
 * The keep floor of the half-space stage: how many groups must stay nonzero, per layer and in total, and
 * which of the groups that meet the half-space condition are projected when the floor does not allow all of
 * them. Pure functions (no tensors).
 *
 * The floor comes from the regularizer's binding (`budget`, `layout`, `floors`):
 * - keep scope 'layer': layer l keeps at least `k_l` nonzero groups;
 * - keep scope 'global': the model keeps at least `k` nonzero groups and every layer at least
 *   `minGroupsPerLayer`;
 * - no keep budget (group lasso without `keep`): every layer keeps at least `minGroupsPerLayer` (0: no floor).
 *
 * Selection rule: among the candidates (nonzero groups whose trial point fails the half-space test), the
 * most negative normalized margin `dot(x_hat_g, x_g) / ||x_g||^2` is projected first (ties: lower index).
 * The margin is the very quantity the half-space test thresholds; it is scale-free, so it compares groups of
 * different sizes and layers (global scope) fairly, and it measures how far the step carries the group
 * towards (or past) the origin: the projection keeps its meaning "zero the groups the step is removing",
 * truncated to what the budget allows. The per-layer and total limits form a matroid (a truncated partition
 * matroid), so this greedy pass projects the best-ranked feasible set, not merely a feasible one.
 *
 * reference: docs/concepts/hspg.md (the k-level promise and HSPG).
 */
import type { KlevelRegularizer } from '@klevel/wgsef/extend';

/** How many groups must stay nonzero after a half-space step. */
export interface KeepFloor {
  /** Layer index of each group (length m). */
  layerOf: ArrayLike<number>;
  /** The least number of nonzero groups of each layer (indexed like the layers). */
  minPerLayer: ArrayLike<number>;
  /** The least number of nonzero groups of the whole model (0: no total limit). */
  minTotal: number;
}

/**
 * The keep floor of a regularizer (attached): its keep budget, or `minGroupsPerLayer` per layer when it
 * has none.
 * @param reg An attached regularizer from `wgsef()` or `groupLasso()`.
 * @example keepFloorOf(wgsef({ groups: 'filters', keep: { count: 2 } }).attach(model))
 */
export function keepFloorOf(reg: KlevelRegularizer): KeepFloor {
  const { layout, budget, floors } = reg.binding;
  const { layerOf } = layout;
  if (budget?.scope === 'layer') return { layerOf, minPerLayer: budget.perLayer, minTotal: 0 };
  return { layerOf, minPerLayer: floors, minTotal: budget ? budget.total : 0 };
}

/**
 * Chooses which candidates to project so that the floor holds: candidates in order of their margin (most
 * negative first), each accepted while its layer and the model stay at or above their minimums. A layer or
 * model already at or below its minimum loses no group (zero groups never come back, so a floor that is
 * already broken is not made worse).
 * @param nonzero 1 for groups nonzero before the step.
 * @param candidates Indices of the nonzero groups that fail the half-space test.
 * @param margins Normalized margins `dot(x_hat_g, x_g) / ||x_g||^2` (indexed by group).
 * @param floor The keep floor.
 * @returns The candidates to project, ascending.
 * @example limitProjections(nonzero, [0, 3], margins, { layerOf, minPerLayer: [1], minTotal: 0 })
 */
export function limitProjections(
  nonzero: ArrayLike<number>,
  candidates: readonly number[],
  margins: ArrayLike<number>,
  floor: KeepFloor,
): number[] {
  const { layerOf, minPerLayer, minTotal } = floor;
  const spareInLayer = Float64Array.from(minPerLayer, (k) => -k);
  let spareTotal = -minTotal;
  for (let j = 0; j < nonzero.length; j++) {
    if (!nonzero[j]) continue;
    const l = layerOf[j] as number;
    spareInLayer[l] = (spareInLayer[l] as number) + 1;
    spareTotal++;
  }
  const order = [...candidates].sort((a, b) => (margins[a] as number) - (margins[b] as number) || a - b);
  const projected: number[] = [];
  for (const j of order) {
    const l = layerOf[j] as number;
    if (spareTotal <= 0) break;
    if ((spareInLayer[l] as number) <= 0) continue;
    spareInLayer[l] = (spareInLayer[l] as number) - 1;
    spareTotal--;
    projected.push(j);
  }
  return projected.sort((a, b) => a - b);
}
