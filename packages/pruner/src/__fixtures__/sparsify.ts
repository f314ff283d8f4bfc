/**
 * Makes a model group-sparse for tests: random weights, then a random subset of the removable filter
 * groups (as @klevel/groups partitions them) set to exactly zero.
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import { type Group, partitionGroups } from '@klevel/groups';
import { seededRandom } from '@klevel/test-utils';
import { randomizeWeights, zeroGroups } from './models';

/** Randomizes `model` and zeroes each removable group (of `type`) with probability `fraction`. */
export function sparsify(
  model: tfl.LayersModel,
  seed: number,
  fraction = 0.4,
  type: 'filters' | 'channels' = 'filters',
): Group[] {
  randomizeWeights(model, seed);
  const rand = seededRandom(seed + 1000);
  const { groups } = partitionGroups(model, type);
  const chosen = groups.filter((g) => g.removable && rand() < fraction);
  zeroGroups(model, chosen);
  return chosen;
}
