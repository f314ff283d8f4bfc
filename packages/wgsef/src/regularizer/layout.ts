/**
 * From a GroupPartition to the flat arrays the regularizers work on: the kept groups after include/exclude,
 * their weights, the layer that owns each group, and the LayoutTerms with group ids renumbered.
 * Pure data, no tensors.
 */
import type { Group, GroupPartition, LayoutTerm } from '@klevel/groups';
import type { GroupWeighting } from './options';

/** The groups a regularizer acts on, flattened. Group j is `groups[j]`. */
export interface GroupLayout {
  groups: Group[];
  terms: LayoutTerm[];
  /** w_j > 0. */
  weights: Float64Array;
  /** Names of the layers that own at least one group, in first-appearance order. */
  layerNames: string[];
  /** Index into `layerNames` of the layer owning group j. */
  layerOf: Int32Array;
  /** The group indices of each layer (ascending). */
  layerGroups: Int32Array[];
}

/** Checks the partition is well formed (every groupId in range, no variable twice). */
export function checkPartition(fn: string, partition: GroupPartition): void {
  if (!partition || !Array.isArray(partition.groups) || !Array.isArray(partition.terms)) {
    throw new TypeError(`${fn}: expected a GroupPartition { groups, terms }, got ${typeof partition}.`);
  }
  const m = partition.groups.length;
  const seen = new Set<string>();
  for (const term of partition.terms) {
    if (seen.has(term.variableName)) {
      throw new Error(
        `${fn}: the partition has two LayoutTerms for variable '${term.variableName}'; merge them into one term (one set of groupAxes per variable).`,
      );
    }
    seen.add(term.variableName);
    const positions = term.groupAxes.reduce((p, axis) => p * (term.shape[axis] ?? 0), 1);
    if (term.groupIds.length !== positions) {
      throw new Error(
        `${fn}: LayoutTerm '${term.variableName}' has ${term.groupIds.length} groupIds but its groupAxes [${term.groupAxes}] of shape [${term.shape}] give ${positions} positions.`,
      );
    }
    for (const id of term.groupIds) {
      if (id < -1 || id >= m) {
        throw new Error(
          `${fn}: LayoutTerm '${term.variableName}' refers to group ${id}, but the partition has ${m} groups.`,
        );
      }
    }
  }
}

/**
 * Drops the groups whose owning layer is not included (or is excluded), renumbers the rest and the terms.
 * `modelLayerNames` is used to reject unknown names with the list of valid ones.
 */
export function filterPartition(
  fn: string,
  partition: GroupPartition,
  include: string[] | undefined,
  exclude: string[],
  modelLayerNames: string[],
  removableOnly: boolean | 'auto' = false,
): GroupPartition {
  const dropFixed =
    removableOnly === true || (removableOnly === 'auto' && partition.groups.some((g) => g.removable));
  const known = new Set(modelLayerNames);
  const owners = new Set(partition.groups.map((g) => g.layerName));
  for (const [option, names] of [
    ['include', include ?? []],
    ['exclude', exclude],
  ] as const) {
    for (const name of names) {
      if (!known.has(name)) {
        throw new RangeError(
          `${fn}: ${option} names the layer '${name}', which is not in the model. Layers: ${modelLayerNames.join(', ')}.`,
        );
      }
      if (!owners.has(name)) {
        throw new RangeError(
          `${fn}: ${option} names the layer '${name}', which owns no group (a coupled group is owned by its first producer). Layers that own groups: ${[...owners].join(', ')}.`,
        );
      }
    }
  }
  const inc = include ? new Set(include) : undefined;
  const exc = new Set(exclude);
  const newIndex = new Int32Array(partition.groups.length).fill(-1);
  const groups: Group[] = [];
  partition.groups.forEach((g, j) => {
    if ((inc && !inc.has(g.layerName)) || exc.has(g.layerName) || (dropFixed && !g.removable)) return;
    newIndex[j] = groups.length;
    groups.push(g);
  });
  if (groups.length === partition.groups.length) return partition;
  const terms: LayoutTerm[] = [];
  for (const term of partition.terms) {
    const ids = term.groupIds.map((id) => (id < 0 ? -1 : (newIndex[id] as number)));
    if (ids.some((id) => id >= 0)) terms.push({ ...term, groupIds: ids });
  }
  return { groups, terms };
}

/** Resolves the group weights; custom values must be finite and > 0. */
export function groupWeights(fn: string, groups: Group[], weighting: GroupWeighting): Float64Array {
  const w = new Float64Array(groups.length);
  groups.forEach((g, j) => {
    const v = weighting === 'uniform' ? 1 : weighting === 'sqrt-size' ? Math.sqrt(g.size) : weighting(g);
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
      throw new RangeError(
        `${fn}: the weight of group '${g.id}' is ${v}; group weights must be finite and > 0${
          weighting === 'sqrt-size' ? ' (sqrt-size needs groups with at least one regularized scalar)' : ''
        }.`,
      );
    }
    w[j] = v;
  });
  return w;
}

/** Builds the flat layout of a (filtered) partition. */
export function buildLayout(fn: string, partition: GroupPartition, weighting: GroupWeighting): GroupLayout {
  const { groups, terms } = partition;
  const layerNames: string[] = [];
  const layerIndex = new Map<string, number>();
  const layerOf = new Int32Array(groups.length);
  const members: number[][] = [];
  groups.forEach((g, j) => {
    let l = layerIndex.get(g.layerName);
    if (l === undefined) {
      l = layerNames.length;
      layerIndex.set(g.layerName, l);
      layerNames.push(g.layerName);
      members.push([]);
    }
    layerOf[j] = l;
    members[l]?.push(j);
  });
  return {
    groups,
    terms,
    weights: groupWeights(fn, groups, weighting),
    layerNames,
    layerOf,
    layerGroups: members.map((m) => Int32Array.from(m)),
  };
}
