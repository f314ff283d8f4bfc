/**
 * Turns the `groups` option into a GroupPartition for a given model: a ready partition is used as is, a
 * function is called with the model, and a group type or spec goes to `@klevel/groups`' partitionGroups,
 * with the excluded layers whose class @klevel/groups does not know left out of its analysis.
 */
import {
  collectLayers,
  type GroupPartition,
  type GroupSpec,
  type PartitionSpec,
  partitionGroups,
} from '@klevel/groups';
import { getLayerHandler } from '@klevel/groups/extend';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { GroupsOption } from './options';

/** True for an object shaped like a GroupPartition ({ groups: [], terms: [] }). */
export function isGroupPartition(x: unknown): x is GroupPartition {
  return (
    x !== null &&
    typeof x === 'object' &&
    Array.isArray((x as GroupPartition).groups) &&
    Array.isArray((x as GroupPartition).terms)
  );
}

/** The layers of `model` (nested models flattened) whose class no @klevel/groups handler describes. */
function unknownLayers(model: tfl.LayersModel): Array<{ name: string; className: string }> {
  return collectLayers(model)
    .filter((layer) => getLayerHandler(layer.getClassName()) === undefined)
    .map((layer) => ({ name: layer.name, className: layer.getClassName() }));
}

/** `spec` with `names` added to its `exclude` (a group type becomes one rule over every layer). */
function withExcluded(fn: string, spec: GroupSpec, names: string[]): GroupSpec {
  if (names.length === 0) return spec;
  if (typeof spec === 'string' || 'custom' in spec) {
    return { rules: [{ layers: { all: true }, type: spec }], exclude: names };
  }
  const own = (spec as PartitionSpec).exclude;
  if (own === undefined) return { ...spec, exclude: names };
  if (typeof own === 'string' || Array.isArray(own)) {
    return { ...spec, exclude: [...new Set([...(typeof own === 'string' ? [own] : own), ...names])] };
  }
  throw new TypeError(
    `${fn}: groups.exclude is a layer selector that cannot be combined with the 'exclude' option ` +
      `(${names.map((n) => `'${n}'`).join(', ')}). Fix: list every layer to leave out in one place, ` +
      `e.g. ${fn}({ ..., exclude: [${names.map((n) => `'${n}'`).join(', ')}, ...] }).`,
  );
}

/** The partition, and the excluded layers that were left out of the analysis (they own no group). */
export interface ResolvedPartition {
  partition: GroupPartition;
  unanalysed: string[];
}

/**
 * Builds the partition the `groups` option describes for `model`. Layers whose class @klevel/groups does
 * not know must be in `exclude`; the error for one that is not says how, in the caller's own API.
 */
export function resolvePartition(
  fn: string,
  groups: GroupsOption,
  exclude: readonly string[],
  model: tfl.LayersModel,
  batchNorm: 'group' | 'scales' = 'group', // checked against a ready partition by resolveArgs
): ResolvedPartition {
  if (typeof groups === 'function' || isGroupPartition(groups)) {
    return { partition: userPartition(fn, groups, model), unanalysed: [] };
  }
  const unknown = unknownLayers(model);
  const missing = unknown.filter((l) => !exclude.includes(l.name));
  if (missing.length > 0) {
    const which = missing.map((l) => `'${l.name}' (class ${l.className})`).join(', ');
    const names = [...exclude, ...missing.map((l) => l.name)].map((n) => `'${n}'`).join(', ');
    throw new Error(
      `${fn}: @klevel/groups does not know the layer${missing.length > 1 ? 's' : ''} ${which}, so it cannot ` +
        `tell which channels ${missing.length > 1 ? 'they read and write' : 'it reads and writes'}. ` +
        `Fix: leave ${missing.length > 1 ? 'them' : 'it'} out with ${fn}({ ..., exclude: [${names}] }) ` +
        '(not regularized; the channels around it are then not removable), or describe the class with ' +
        `registerLayerHandler('${missing[0]?.className}', { mapChannels(ctx) { ... } }) from @klevel/groups.`,
    );
  }
  const unanalysed = unknown.map((l) => l.name);
  return {
    partition: partitionGroups(model, withExcluded(fn, groups as GroupSpec, unanalysed), { batchNorm }),
    unanalysed,
  };
}

/** A partition the user built: given, or returned by their function. */
function userPartition(
  fn: string,
  groups: GroupPartition | ((model: tfl.LayersModel) => GroupPartition),
  model: tfl.LayersModel,
): GroupPartition {
  if (isGroupPartition(groups)) return groups;
  const p = groups(model);
  if (!isGroupPartition(p)) {
    throw new TypeError(
      `${fn}: the groups function must return a GroupPartition { groups, terms }, got ${typeof p}.`,
    );
  }
  return p;
}
