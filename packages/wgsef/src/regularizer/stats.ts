/**
 * Sparsity statistics from group norms (pure): per layer, in total, and per budget unit (what a
 * controller of lambda needs: how many groups are nonzero and how large the groups outside the top k are).
 */
import { rankByWeightedNorm } from './budget';
import type { GroupLayout } from './layout';
import type { PenaltyUnit } from './penalty';

/** Sparsity of one layer, or of the whole model. */
export interface GroupSparsity {
  /** Number of regularized groups. */
  groups: number;
  /** Groups with a nonzero norm (non-finite norms count as nonzero: a diverged group is not sparse). */
  nonzero: number;
  /** Groups that are exactly zero. */
  zero: number;
  /** `zero / groups`. */
  sparsity: number;
}

/** Group sparsity per layer (by owning layer name) and in total. */
export interface SparsityStats {
  total: GroupSparsity;
  layers: Record<string, GroupSparsity>;
  /** Layers left with no more nonzero groups than their floor (scope 'global' only). */
  atFloor: string[];
  /** One message per layer of `atFloor`. */
  warnings: string[];
}

/** The global budget and its per-layer floors, for the floor warnings. */
export interface FloorContext {
  total: number;
  floors: ArrayLike<number>;
}

/** One budget unit after a prox step. */
export interface UnitStats {
  /** Layer name (scope 'layer') or `'global'`. */
  name: string;
  /** Groups the unit keeps (0 without a budget). */
  k: number;
  /** lambda_u used by the step. */
  lambda: number;
  /** Nonzero groups of the unit. */
  nonzero: number;
  /** Nonzero groups outside the k largest weighted norms (0 when the unit is k-sparse). */
  tailNonzero: number;
  /** Euclidean norm of the weighted norms `w_j a_j` outside the k largest. */
  tailNorm: number;
  /** Largest weighted norm outside the k largest. */
  tailMax: number;
}

function sparsityOf(groups: number, nonzero: number): GroupSparsity {
  return {
    groups,
    nonzero,
    zero: groups - nonzero,
    sparsity: groups === 0 ? 0 : (groups - nonzero) / groups,
  };
}

/** True unless the norm is exactly zero (NaN and Infinity are not sparse). */
export const isNonzero = (a: number): boolean => !(a === 0);

/** Sparsity per layer and in total; with `floor` (scope 'global'), the layers left at their floor. */
export function sparsityStats(
  norms: ArrayLike<number>,
  layout: GroupLayout,
  floor?: FloorContext,
): SparsityStats {
  const layers: Record<string, GroupSparsity> = {};
  const atFloor: string[] = [];
  const warnings: string[] = [];
  let nonzero = 0;
  layout.layerGroups.forEach((members, l) => {
    let nz = 0;
    for (const j of members) if (isNonzero(norms[j] as number)) nz++;
    nonzero += nz;
    const name = layout.layerNames[l] as string;
    layers[name] = sparsityOf(members.length, nz);
    const f = floor ? (floor.floors[l] as number) : -1;
    if (floor && members.length > f && nz <= f) {
      atFloor.push(name);
      warnings.push(
        `layer '${name}' is at its floor: it keeps ${nz} of ${members.length} groups (minGroupsPerLayer ${f}) under the global budget of ${floor.total}; raise minGroupsPerLayer or use scope: 'layer' if this layer needs more.`,
      );
    }
  });
  return { total: sparsityOf(layout.groups.length, nonzero), layers, atFloor, warnings };
}

/** Per-unit statistics (one sort of each unit's m_u norms on the host). */
export function unitStats(
  norms: ArrayLike<number>,
  weights: ArrayLike<number>,
  units: readonly PenaltyUnit[],
  lambdas: ArrayLike<number>,
): UnitStats[] {
  return units.map((u, i) => {
    const ranked = rankByWeightedNorm(u.members, norms, weights);
    let nonzero = 0;
    let tailNonzero = 0;
    let tailSq = 0;
    let tailMax = 0;
    ranked.forEach((j, r) => {
      const a = norms[j] as number;
      if (!isNonzero(a)) return;
      nonzero++;
      if (u.k === 0 || r < u.k) return;
      const b = (weights[j] as number) * a;
      tailNonzero++;
      tailSq += b * b;
      tailMax = Math.max(tailMax, b);
    });
    return {
      name: u.name,
      k: u.k,
      lambda: lambdas[i] as number,
      nonzero,
      tailNonzero,
      tailNorm: Math.sqrt(tailSq),
      tailMax,
    };
  });
}

/** Number of entries that are not exactly zero. */
export function countNonzero(norms: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < norms.length; i++) if (isNonzero(norms[i] as number)) n++;
  return n;
}
