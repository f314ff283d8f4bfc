/**
 * The only place the pruner calls into @klevel/groups: building the default partition and counting
 * parameters and multiply-accumulates. Errors about layers @klevel/groups does not know are re-worded for
 * the pruner API the user called.
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import { adviseUnknownLayer, getLayerHandler } from '@klevel/groups/extend';
import {
  collectLayers,
  countFlops,
  countParams,
  type GroupPartition,
  type GroupSpec,
  type PartitionSpec as GroupsPartitionSpec,
  partitionGroups,
} from '@klevel/groups';

/** A @klevel/groups partition spec (a group type, or `{ rules, exclude }`). */
export type PartitionSpec = GroupSpec;

/** The pruner APIs that call @klevel/groups for the user. */
export type PrunerApi = 'prune' | 'planPruning' | 'buildReport';

const EXCLUDE_CALL: Record<PrunerApi, (layerName: string) => string> = {
  prune: (n) => `prune(model, { exclude: ['${n}'] })`,
  planPruning: (n) => `planPruning(model, { exclude: ['${n}'] })`,
  buildReport: (n) => `buildReport(before, after, plan, equivalence, ['${n}'])`,
};

/** Re-words an unknown-layer error from @klevel/groups for the pruner API the user called. */
export function adviseForPruner(e: unknown, api: PrunerApi): unknown {
  return adviseUnknownLayer(
    e,
    api,
    (n) =>
      `${EXCLUDE_CALL[api](n)} (the layer is then kept unchanged, the channels it touches are not removed, ` +
      'and its MACs count as 0 in the report)',
  );
}

function withAdvice<T>(api: PrunerApi, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw adviseForPruner(e, api);
  }
}

/** `spec` with the pruner's `exclude` layers added to the spec's own `exclude`. */
function withExclude(spec: PartitionSpec, exclude: readonly string[]): PartitionSpec {
  if (exclude.length === 0) return spec;
  const rules: GroupsPartitionSpec =
    typeof spec === 'object' && spec !== null && 'rules' in spec
      ? spec
      : { rules: [{ layers: { all: true }, type: spec as Exclude<GroupSpec, GroupsPartitionSpec> }] };
  const own = rules.exclude;
  if (own === undefined) return { ...rules, exclude: [...exclude] };
  if (typeof own === 'string' || Array.isArray(own))
    return { ...rules, exclude: [...new Set([...[own].flat(), ...exclude])] };
  throw new TypeError(
    "planPruning: give the excluded layers in one place: 'exclude' lists layer names while the 'groups' spec " +
      'has its own exclude selector; move the names into the spec (or the selector into exclude).',
  );
}

/**
 * The partition the pruner works on: `spec` when given, else filters/neurons over every layer that has
 * them. Layers in `exclude` are left out of the spec (and, when @klevel/groups has no handler for their
 * class, treated as opaque, so a model with an unsupported layer can still be pruned elsewhere).
 */
export function buildPartition(
  model: tfl.LayersModel,
  spec: PartitionSpec | undefined,
  exclude: readonly string[] = [],
  api: PrunerApi = 'planPruning',
): GroupPartition {
  return withAdvice(api, () => partitionGroups(model, withExclude(spec ?? 'filters', exclude)));
}

/** Parameters and MACs per layer name, and totals. */
export interface CostCount {
  perLayer: Map<string, { className: string; params: number; macs: number }>;
  params: number;
  macs: number;
  /** Excluded layers whose MACs were counted as 0 (see @klevel/groups' countFlops). */
  countedAsZero: Array<{ layerName: string; className: string }>;
}

/**
 * Counts parameters (`countParams`) and MACs per sample (`countFlops`) with @klevel/groups. Of the `exclude`d
 * layers, those whose class @klevel/groups cannot count are counted as 0 MACs (listed in `countedAsZero`).
 */
export function countCosts(
  model: tfl.LayersModel,
  exclude: readonly string[] = [],
  api: PrunerApi = 'buildReport',
): CostCount {
  // Only layers @klevel/groups cannot count are counted as 0; an excluded Dense or Conv keeps its MACs.
  const layers = collectLayers(model);
  const names = new Set(exclude);
  const uncountable = layers
    .filter((l) => names.has(l.name) && !getLayerHandler(l.getClassName()))
    .map((l) => l.name);
  const flops = withAdvice(api, () =>
    countFlops(model, uncountable.length > 0 ? { exclude: uncountable } : {}),
  );
  const params = countParams(model);
  const perLayer = new Map<string, { className: string; params: number; macs: number }>();
  for (const layer of layers) {
    if (layer.getClassName() === 'InputLayer') continue;
    perLayer.set(layer.name, {
      className: layer.getClassName(),
      params: params.perLayer[layer.name] ?? 0,
      macs: flops.perLayer[layer.name] ?? 0,
    });
  }
  return { perLayer, params: params.total, macs: flops.total, countedAsZero: flops.countedAsZero };
}
