/**
 * Filter groups measured at their BatchNorm (`partitionGroups(model, spec, { batchNorm: 'scales' })`).
 *
 * A conv (or dense) channel that only feeds a BatchNormalization reaches the network through
 * `gamma * xhat + beta`: BN divides out the scale of the kernel slice, so the slice's norm says little about
 * what the channel contributes, and shrinking it changes nothing until it is exactly zero. With
 * `batchNorm: 'scales'` such a group is measured (and shrunk, and ranked) by its BN `gamma` and `beta` only,
 * as network slimming does. The kernel slice and bias stay in the group, so the pruner removes them with it:
 * a BN with gamma = beta = 0 outputs exactly 0 for the channel whatever its input is.
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import type { Group, WeightSlice } from './types';

type Layer = tfl.layers.Layer;

/** Weightless layers that map channel c to channel c (elementwise, or the identity at inference). */
const CHANNEL_PRESERVING: ReadonlySet<string> = new Set([
  'Activation',
  'ReLU',
  'LeakyReLU',
  'ELU',
  'ThresholdedReLU',
  'Dropout',
  'SpatialDropout1D',
  'SpatialDropout2D',
  'GaussianNoise',
  'GaussianDropout',
  'AlphaDropout',
]);

/** The one layer feeding `layer`, when it has one call with one input and feeds nothing but `layer`. */
function soleInput(layer: Layer): Layer | undefined {
  if (layer.inboundNodes.length !== 1) return undefined;
  const inbound = layer.inboundNodes[0]?.inboundLayers ?? [];
  const prev = inbound.length === 1 ? inbound[0] : undefined;
  if (prev === undefined || prev.inboundNodes.length !== 1 || prev.outboundNodes.length !== 1)
    return undefined;
  return prev;
}

/**
 * The layers whose output reaches only the BatchNormalization `bn`, walking back from it through
 * channel-preserving weightless layers: `bn` itself, BatchNorms before it, and the first other layer of
 * `owners` (the group's producer: a conv, dense or depthwise filter), where the walk stops. When `bn` has
 * gamma = beta = 0 for a channel, these layers cannot change what the network computes there.
 *
 * @param owners Names of the layers that own regularized slices of the group.
 */
export function silencedBy(bn: Layer, owners: ReadonlySet<string>): Set<string> {
  const silenced = new Set([bn.name]);
  for (let prev = soleInput(bn); prev !== undefined; prev = soleInput(prev)) {
    if (owners.has(prev.name)) {
      silenced.add(prev.name);
      if (prev.getClassName() !== 'BatchNormalization') break;
    } else if (!CHANNEL_PRESERVING.has(prev.getClassName())) break;
  }
  return silenced;
}

/** The BatchNorms of `regularized` that hold the group's gamma (and beta, when the layer has one). */
function measuringBatchNorms(regularized: WeightSlice[], layers: ReadonlyMap<string, Layer>): Layer[] {
  const owners = [...new Set(regularized.map((s) => s.layerName))];
  return owners
    .map((name) => layers.get(name))
    .filter((bn): bn is Layer => {
      if (bn?.getClassName() !== 'BatchNormalization') return false;
      const has = (w: string) => regularized.some((s) => s.layerName === bn.name && s.weightName === w);
      const hasBeta = bn.weights.some((w) => w.originalName.endsWith('/beta'));
      return has('gamma') && (!hasBeta || has('beta'));
    });
}

/**
 * `group` measured at its BatchNorms: the slices of the layers a BN of the group silences (its producer,
 * see {@link silencedBy}) stop being regularized; the BN entries and every other slice keep their role.
 * Groups other than 'filters' / 'neurons', and groups without such a BN, come back unchanged.
 */
export function measureAtBatchNorm(
  group: Group,
  layers: ReadonlyMap<string, Layer>,
  sliceSize: (s: WeightSlice) => number,
): Group {
  if (group.type !== 'filters' && group.type !== 'neurons') return group;
  const regularized = group.slices.filter((s) => s.regularized);
  const bns = measuringBatchNorms(regularized, layers);
  if (bns.length === 0) return group;
  const owners = new Set(regularized.map((s) => s.layerName));
  const quiet = new Set(bns.flatMap((bn) => [...silencedBy(bn, owners)]));
  for (const bn of bns) quiet.delete(bn.name);
  if (quiet.size === 0) return group;
  const slices = group.slices.map((s) =>
    s.regularized && quiet.has(s.layerName) ? { ...s, regularized: false } : s,
  );
  const size = slices.reduce((n, s) => n + (s.regularized ? sliceSize(s) : 0), 0);
  return { ...group, slices, size, weight: Math.sqrt(size) };
}
