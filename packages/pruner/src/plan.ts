/**
 * `planPruning`: decide which groups to remove and turn them into a per-weight, per-axis list of kept
 * indices (a JSON {@link PruningPlan} a user can review or edit before {@link applyPlan}).
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import type { GroupPartition } from '@klevel/groups';
import { assertFiniteWeights } from '@klevel/groups/extend';
import { deadAtBatchNorm, deadChannelCandidates } from './dead-channels';
import { buildPartition, type PartitionSpec } from './groups-adapter';
import { type GroupStats, measureGroup, WeightReader } from './group-stats';
import type { LayerPlan, PlannedGroup, PruningPlan, WeightPlan } from './plan-types';
import { PLAN_FORMAT } from './plan-types';
import { type SelectionOptions, selectGroups } from './select-groups';
import { expectLayersModel, flattenLayers, weightNameOf } from './topology';

/** Options of {@link planPruning}. */
export interface PlanPruningOptions extends SelectionOptions {
  /**
   * The groups to consider: a partition already built with @klevel/groups, or a spec for it. Defaults to
   * filters/neurons over every prunable layer.
   */
  groups?: GroupPartition | PartitionSpec;
}

function isPartition(x: unknown): x is GroupPartition {
  return x != null && typeof x === 'object' && Array.isArray((x as GroupPartition).groups);
}

type Removal = Map<string, Map<number, Set<number>>>; // variableName -> axis -> removed indices

function removalOf(groups: readonly GroupStats[], reader: WeightReader): Removal {
  const out: Removal = new Map();
  for (const s of groups) {
    for (const slice of s.group.slices) {
      if (slice.axes !== undefined && slice.axes.length > 1) {
        throw new Error(
          `planPruning: group '${s.group.id}' (${s.group.type}) selects along several axes of ` +
            `'${slice.variableName}'; only single-axis groups (filters, neurons, channels) can be removed.`,
        );
      }
      const name = reader.variable(slice).name;
      let axes = out.get(name);
      if (!axes) {
        axes = new Map();
        out.set(name, axes);
      }
      let set = axes.get(slice.axis);
      if (!set) {
        set = new Set();
        axes.set(slice.axis, set);
      }
      for (const i of slice.indices) set.add(i);
    }
  }
  return out;
}

/**
 * Puts back the largest removed group touching any weight axis that would lose every index, until no
 * axis is empty (a layer keeps at least one, zero, channel rather than becoming a broken 0-channel layer).
 */
function keepLastChannels(removed: GroupStats[], reader: WeightReader, kept: PlannedGroup[]): GroupStats[] {
  let current = removed;
  for (;;) {
    const removal = removalOf(current, reader);
    let emptied: { variable: string; axis: number } | undefined;
    for (const [variable, axes] of removal) {
      const v = reader.variable({ variableName: variable, layerName: '', weightName: '' });
      for (const [axis, set] of axes) if (set.size >= (v.shape[axis] as number)) emptied = { variable, axis };
    }
    if (emptied === undefined) return current;
    const { variable, axis } = emptied;
    const touching = current.filter((s) =>
      s.group.slices.some((sl) => sl.axis === axis && reader.variable(sl).name === variable),
    );
    const best = touching.sort((a, b) => b.norm - a.norm || a.group.index - b.group.index)[0] as GroupStats;
    kept.push({
      id: best.group.id,
      layerName: best.group.layerName,
      type: best.group.type,
      index: best.group.index,
      norm: best.norm,
      maxAbs: best.maxAbs,
      reason: 'last-channel',
      detail:
        `removing it would leave '${variable}' axis ${axis} empty; one channel is kept` +
        (best.detail !== undefined ? `; ${best.detail}` : ''),
    });
    current = current.filter((s) => s !== best);
  }
}

/** The input-channel ('channels') partition of the model, or undefined when no layer consumes channels. */
function channelPartition(
  model: tfl.LayersModel,
  exclude: readonly string[] = [],
): GroupPartition | undefined {
  try {
    return buildPartition(model, 'channels', exclude, 'planPruning');
  } catch (e) {
    if (/matched no layer that has 'channels' groups/.test((e as Error).message)) return undefined;
    throw e;
  }
}

function checkLayerNames(model: tfl.LayersModel, options: PlanPruningOptions): void {
  const names = new Set(flattenLayers(model).map((l) => l.name));
  const named: Array<[string, readonly string[]]> = [
    ['exclude', options.exclude ?? []],
    ['keep', typeof options.keep === 'object' ? Object.keys(options.keep) : []],
  ];
  for (const [option, list] of named) {
    const unknown = list.filter((n) => !names.has(n));
    if (unknown.length > 0) {
      throw new Error(
        `planPruning: '${option}' names ${unknown.map((n) => `'${n}'`).join(', ')}, which model '${model.name}' ` +
          `does not have. Layers: ${[...names].slice(0, 20).join(', ')}${names.size > 20 ? ', ...' : ''}.`,
      );
    }
  }
}

/**
 * Plans the removal of groups from `model` (read only) without building anything.
 *
 * By default every channel that is provably dead is removed, whichever end of it is zero: its filter (the
 * 'filters' group: kernel slice, bias, BatchNorm gamma/beta) or its input slices in every consumer (the
 * 'channels' group, what training with `groups: 'channels'` zeroes), as long as it is structurally removable
 * (`tolerance` relaxes "zero"). A BatchNormalization with gamma = beta = 0 for a channel makes it dead too:
 * what the layer before the BN computes there does not count. Zero groups that stay are listed in `plan.groups.kept` with the reason. Pass
 * `groups` to test one partition only; `select` and `keep` choose groups explicitly instead, `roundTo`
 * keeps channel counts at multiples of N, and `exclude` protects layers. When every group of a weight axis
 * would go, the largest one is kept so no layer ends up with zero channels (reason 'last-channel').
 *
 * @param model The model (not modified).
 * @param options Selection options and the group partition or spec.
 * @returns A JSON-serializable plan; `plan.layers` is empty when nothing is removed.
 * @throws TypeError when `model` is not a LayersModel; Error naming the weight when a weight is NaN or
 *   infinite; UnknownLayerError (from @klevel/groups) naming the `exclude` that skips an unknown layer class.
 * @example
 * const plan = planPruning(model, { roundTo: 8 });
 * console.log(plan.groups.removed.length, 'groups removed');
 * const small = await applyPlan(model, plan);
 */
export function planPruning(model: tfl.LayersModel, options: PlanPruningOptions = {}): PruningPlan {
  expectLayersModel(model, 'planPruning');
  assertFiniteWeights(model, 'planPruning');
  checkLayerNames(model, options);
  const partition = isPartition(options.groups)
    ? options.groups
    : buildPartition(model, options.groups, options.exclude, 'planPruning');
  const reader = new WeightReader(model);
  let stats = partition.groups.map((g) => measureGroup(g, reader));
  if (options.select === undefined) {
    // The zero test sees a channel behind a BatchNorm with gamma = beta = 0 as dead (its output is 0), and
    // `keep` ranks it by what is left (nothing), so the top k never keep a dead channel over a live one.
    stats = stats.map(deadAtBatchNorm(model, reader, options.tolerance ?? 0));
  }
  if (options.groups === undefined && options.select === undefined && options.keep === undefined) {
    // The default zero test: a channel is dead when its filter is zero OR every consumer ignores it.
    const channels = channelPartition(model, options.exclude);
    if (channels !== undefined) {
      const channelStats = channels.groups.map((g) => measureGroup(g, reader));
      stats = deadChannelCandidates(stats, channelStats, options.tolerance ?? 0);
    }
  }
  const selection = selectGroups(stats, options);
  const kept = [...selection.decisions.kept];
  const removed = keepLastChannels(selection.removed, reader, kept);
  const removedIds = new Set(removed.map((s) => s.group.id));
  const removal = removalOf(removed, reader);

  const layers: LayerPlan[] = [];
  for (const layer of flattenLayers(model)) {
    const weights: WeightPlan[] = [];
    for (const w of layer.weights) {
      const axes = removal.get(w.name);
      if (axes === undefined) continue;
      const shape = [...w.shape] as number[];
      weights.push({
        weightName: weightNameOf(w),
        variableName: w.name,
        shape,
        axes: [...axes.entries()]
          .sort((a, b) => a[0] - b[0])
          .map(([axis, set]) => ({
            axis,
            size: shape[axis] as number,
            kept: Array.from({ length: shape[axis] as number }, (_, i) => i).filter((i) => !set.has(i)),
          })),
      });
    }
    if (weights.length > 0) layers.push({ layerName: layer.name, className: layer.getClassName(), weights });
  }
  return {
    format: PLAN_FORMAT,
    version: 1,
    modelName: model.name,
    groups: { removed: selection.decisions.removed.filter((g) => removedIds.has(g.id)), kept },
    layers,
  };
}
