/**
 * Turns the `groups` option into a GroupPartition for a given model: a ready partition is used as is, a
 * function is called with the model, and a group type or spec goes to `@klevel/groups`' partitionGroups.
 */
import { type GroupPartition, type GroupSpec, partitionGroups } from '@klevel/groups';
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

/** Builds the partition the `groups` option describes for `model`. */
export function resolvePartition(fn: string, groups: GroupsOption, model: tfl.LayersModel): GroupPartition {
  if (typeof groups === 'function') {
    const p = groups(model);
    if (!isGroupPartition(p)) {
      throw new TypeError(
        `${fn}: the groups function must return a GroupPartition { groups, terms }, got ${typeof p}.`,
      );
    }
    return p;
  }
  if (isGroupPartition(groups)) return groups;
  return partitionGroups(model, groups as GroupSpec);
}
