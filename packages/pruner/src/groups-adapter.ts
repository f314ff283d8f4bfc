/**
 * The only place the pruner calls into @klevel/groups: building the default partition and counting
 * parameters and multiply-accumulates.
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import {
  collectLayers,
  countFlops,
  countParams,
  type GroupPartition,
  type GroupSpec,
  partitionGroups,
} from '@klevel/groups';

/** A @klevel/groups partition spec (a group type, or `{ rules, exclude }`). */
export type PartitionSpec = GroupSpec;

/**
 * The partition the pruner works on: `spec` when given, else filters/neurons over every layer that has
 * them. Layers in `exclude` are left out of the spec (and, when @klevel/groups has no handler for their
 * class, treated as opaque, so a model with an unsupported layer can still be pruned elsewhere).
 */
export function buildPartition(
  model: tfl.LayersModel,
  spec: PartitionSpec | undefined,
  exclude: readonly string[] = [],
): GroupPartition {
  if (spec !== undefined) return partitionGroups(model, spec);
  return partitionGroups(model, {
    rules: [{ layers: { all: true }, type: 'filters' }],
    ...(exclude.length > 0 ? { exclude: [...exclude] } : {}),
  });
}

/** Parameters and MACs per layer name, and totals. */
export interface CostCount {
  perLayer: Map<string, { className: string; params: number; macs: number }>;
  params: number;
  macs: number;
}

/** Counts parameters (`countParams`) and MACs per sample (`countFlops`) with @klevel/groups. */
export function countCosts(model: tfl.LayersModel, exclude: readonly string[] = []): CostCount {
  const flops = countFlops(model, exclude.length > 0 ? { exclude: [...exclude] } : {});
  const params = countParams(model);
  const perLayer = new Map<string, { className: string; params: number; macs: number }>();
  for (const layer of collectLayers(model)) {
    if (layer.getClassName() === 'InputLayer') continue;
    perLayer.set(layer.name, {
      className: layer.getClassName(),
      params: params.perLayer[layer.name] ?? 0,
      macs: flops.perLayer[layer.name] ?? 0,
    });
  }
  return { perLayer, params: params.total, macs: flops.total };
}
