/**
 * Keep budgets (how many groups each layer or the whole model keeps), the per-layer floor, and the exact-k
 * selection used by `finalize()`. Pure functions of the group norms.
 *
 * Selection rule everywhere: groups are ranked by their weighted norm `w_j * a_j` (largest first, ties by
 * lower index), as in the WGSEF prox (spec section 4).
 */
import type { GroupLayout } from './layout';
import type { KeepSpec } from './options';

/** Resolved keep budget. */
export interface KeepBudget {
  scope: 'layer' | 'global';
  /** k_l per layer (scope 'layer'), aligned with `layout.layerNames`. */
  perLayer: Int32Array;
  /** Total k: the sum of `perLayer` (scope 'layer') or the global budget. */
  total: number;
  /** The least number of groups each layer keeps (aligned with `layout.layerNames`). */
  floors: Int32Array;
}

/** Number of groups a fraction keeps out of `m`: `max(1, round(fraction * m))`. */
export function countFromFraction(fraction: number, m: number): number {
  return Math.min(m, Math.max(1, Math.round(fraction * m)));
}

/** Resolves `keep` against the layout; throws RangeError when a budget is out of range. */
export function resolveBudget(
  fn: string,
  keep: KeepSpec,
  scope: 'layer' | 'global',
  floors: Int32Array,
  layout: GroupLayout,
): KeepBudget {
  const sizes = layout.layerGroups.map((g) => g.length);
  const m = layout.groups.length;
  checkFloors(fn, floors, layout);
  if (scope === 'layer') {
    const perLayer = Int32Array.from(sizes, (size, l) => {
      const k = keep.count !== undefined ? keep.count : countFromFraction(keep.fraction, size);
      if (k > size) {
        throw new RangeError(
          `${fn}: keep.count ${k} exceeds the ${size} group(s) of layer '${layout.layerNames[l]}' (scope 'layer' applies the count to every layer). Use keep: { fraction }, scope: 'global', or exclude the layer.`,
        );
      }
      const floor = floors[l] as number;
      if (k < floor) {
        throw new RangeError(
          `${fn}: layer '${layout.layerNames[l]}' would keep ${k} group(s), below minGroupsPerLayer ${floor}; raise keep or lower minGroupsPerLayer.`,
        );
      }
      return k;
    });
    return { scope, perLayer, total: perLayer.reduce((s, k) => s + k, 0), floors };
  }
  const total = keep.count !== undefined ? keep.count : countFromFraction(keep.fraction, m);
  if (total > m) {
    throw new RangeError(`${fn}: keep.count ${total} exceeds the ${m} regularized groups of the model.`);
  }
  const needed = floors.reduce((s, f) => s + f, 0);
  if (total < needed) {
    throw new RangeError(
      `${fn}: keeping ${total} group(s) globally cannot give each of the ${sizes.length} layers its minGroupsPerLayer ${describeFloors(floors)} (needs ${needed}); raise keep or set minGroupsPerLayer: 0 to allow empty layers.`,
    );
  }
  return { scope, perLayer: new Int32Array(sizes.length), total, floors };
}

/** Throws when a layer's floor exceeds its number of groups. */
export function checkFloors(fn: string, floors: Int32Array, layout: GroupLayout): void {
  layout.layerGroups.forEach((members, l) => {
    const floor = floors[l] as number;
    if (floor > members.length) {
      throw new RangeError(
        `${fn}: minGroupsPerLayer ${floor} exceeds the ${members.length} group(s) of layer '${layout.layerNames[l]}'; lower it or exclude that layer.`,
      );
    }
  });
}

/** `'1'` when every layer has the same floor, else the list. */
function describeFloors(floors: Int32Array): string {
  const first = floors[0] ?? 0;
  return floors.every((f) => f === first) ? String(first) : `[${[...floors].join(', ')}]`;
}

/** Indices of `candidates` sorted by weighted norm, largest first (ties: lower index first). */
export function rankByWeightedNorm(
  candidates: ArrayLike<number>,
  norms: ArrayLike<number>,
  weights: ArrayLike<number>,
): number[] {
  const idx = Array.from(candidates);
  const score = (j: number) => (weights[j] as number) * (norms[j] as number);
  idx.sort((a, b) => score(b) - score(a) || a - b);
  return idx;
}

/** What {@link protectedGroups} needs of a layout. */
export type FloorLayout = Pick<GroupLayout, 'layerGroups' | 'weights'>;

/**
 * The groups protected by the floor: in each layer l, the `floors[l]` groups with the largest weighted
 * norm. The global-scope prox exempts them from the sparsifying part of the penalty, so no layer is emptied.
 */
export function protectedGroups(
  norms: ArrayLike<number>,
  layout: FloorLayout,
  floors: ArrayLike<number>,
): Uint8Array {
  const mask = new Uint8Array(layout.weights.length);
  layout.layerGroups.forEach((members, l) => {
    const floor = floors[l] as number;
    if (floor === 0) return;
    for (const j of rankByWeightedNorm(members, norms, layout.weights).slice(0, floor)) mask[j] = 1;
  });
  return mask;
}

/**
 * The exact-k selection: which groups `finalize()` keeps.
 * - scope 'layer': the `k_l` largest weighted norms of each layer;
 * - scope 'global': the floor of each layer, then the largest weighted norms of the rest up to `total`.
 * Zero groups can be selected only if fewer than k groups are nonzero (they stay zero).
 */
export function selectKeep(norms: ArrayLike<number>, layout: GroupLayout, budget: KeepBudget): Uint8Array {
  const keep = new Uint8Array(layout.groups.length);
  if (budget.scope === 'layer') {
    layout.layerGroups.forEach((members, l) => {
      for (const j of rankByWeightedNorm(members, norms, layout.weights).slice(0, budget.perLayer[l]))
        keep[j] = 1;
    });
    return keep;
  }
  const floor = protectedGroups(norms, layout, budget.floors);
  let kept = 0;
  floor.forEach((p, j) => {
    if (p) {
      keep[j] = 1;
      kept++;
    }
  });
  const rest = layout.groups.map((_, j) => j).filter((j) => !floor[j]);
  for (const j of rankByWeightedNorm(rest, norms, layout.weights).slice(0, budget.total - kept)) keep[j] = 1;
  return keep;
}
