/**
 * The default zero test looks at both ends of every channel. A channel is provably dead when its filter is
 * zero (the producer end: kernel slice, bias, BatchNorm gamma/beta), or when every layer that reads it does
 * so with zero weights (the consumer end: the input slices of every consumer, what training with
 * `groups: 'channels'` zeroes). Both ends remove the same weight slices; this module picks, per channel, the
 * end that proves it dead, so a plain `prune(model)` removes channels whichever group type was trained.
 *
 * A BatchNormalization whose gamma and beta are 0 for the channel outputs exactly 0 there whatever its input
 * is: the producer end is then dead at the BN, and what the layers before it compute does not count.
 */
import { silencedBy } from '@klevel/groups/extend';
import type * as tfl from '@tensorflow/tfjs-layers';
import { type GroupStats, measureGroup, type WeightReader } from './group-stats';
import { flattenLayers } from './topology';

type Layer = tfl.layers.Layer;

function consumersOf(s: GroupStats): string {
  const names = [...new Set(s.group.slices.filter((x) => x.regularized).map((x) => `'${x.layerName}'`))];
  return names.join(', ');
}

/** `channel`'s consumer-end stats under the identity (id, layer, index, type) of the filter group `filter`. */
function viaConsumers(filter: GroupStats, channel: GroupStats): GroupStats {
  return {
    group: {
      ...channel.group,
      id: filter.group.id,
      type: filter.group.type,
      layerName: filter.group.layerName,
      index: filter.group.index,
    },
    norm: channel.norm,
    maxAbs: channel.maxAbs,
    detail:
      `zero at the consumer end: every layer reading it (${consumersOf(channel)}) has zero weights for it ` +
      `(as '${channel.group.id}'); its filter itself is not zero`,
  };
}

/**
 * One entry per channel: the filter group, or, when only the consumer end is zero (or only that end is
 * removable), the channel group re-labelled as that filter. Channels with no filter group (model inputs)
 * keep their channel group; filter groups with no consumers keep theirs.
 *
 * @param filters Measured 'filters' groups of the model.
 * @param channels Measured 'channels' groups of the same model (same dependency graph channel ids).
 * @param tolerance The zero test: every regularized |x| <= tolerance.
 */
export function deadChannelCandidates(
  filters: readonly GroupStats[],
  channels: readonly GroupStats[],
  tolerance: number,
): GroupStats[] {
  const zero = (s: GroupStats) => s.maxAbs <= tolerance;
  const byChannel = new Map<number, GroupStats>();
  for (const c of channels) if (c.group.channel !== undefined) byChannel.set(c.group.channel, c);
  const used = new Set<GroupStats>();
  const out: GroupStats[] = [];
  for (const f of filters) {
    const c = f.group.channel === undefined ? undefined : byChannel.get(f.group.channel);
    if (c === undefined) {
      out.push(f);
      continue;
    }
    used.add(c);
    if (zero(f) && f.group.removable) out.push(f);
    else if (zero(c) && c.group.removable) out.push(viaConsumers(f, c));
    else if (zero(f) || !zero(c)) out.push(f);
    else out.push(viaConsumers(f, c));
  }
  for (const c of channels) if (!used.has(c)) out.push(c);
  return out;
}

/**
 * The filter groups of `model` seen from their BatchNorms: when a BatchNormalization of a group has
 * gamma = 0 and beta = 0 (or no beta) for the channel, it outputs 0 there, so the slices of the layers that
 * only feed it (see {@link silencedBy}) are left out of `norm` and `maxAbs`, and `detail` says why. A group
 * with no dead BatchNorm comes back unchanged.
 *
 * @param tolerance The zero test: every regularized |x| <= tolerance.
 * @returns A function of one measured group ('filters' or 'neurons'; other types pass unchanged).
 */
export function deadAtBatchNorm(
  model: tfl.LayersModel,
  reader: WeightReader,
  tolerance: number,
): (stats: GroupStats) => GroupStats {
  const layers = new Map(flattenLayers(model).map((l) => [l.name, l]));
  return (stats) => {
    const g = stats.group;
    if (g.type !== 'filters' && g.type !== 'neurons') return stats;
    const regularized = g.slices.filter((s) => s.regularized);
    const owners = new Set(regularized.map((s) => s.layerName));
    const dead = [...owners].filter((name) => {
      const bn = layers.get(name);
      if (bn?.getClassName() !== 'BatchNormalization') return false;
      const own = (weight: string) =>
        regularized.filter((s) => s.layerName === name && s.weightName === weight);
      const [gamma, beta] = [own('gamma'), own('beta')];
      const hasBeta = bn.weights.some((w) => w.originalName.endsWith('/beta'));
      if (gamma.length === 0 || (hasBeta && beta.length === 0)) return false;
      return measureGroup({ ...g, slices: [...gamma, ...beta] }, reader).maxAbs <= tolerance;
    });
    if (dead.length === 0) return stats;
    const silenced = new Set(dead.flatMap((name) => [...silencedBy(layers.get(name) as Layer, owners)]));
    const rest = regularized.filter((s) => !silenced.has(s.layerName));
    const { norm, maxAbs } = measureGroup({ ...g, slices: rest }, reader);
    const quiet = [...silenced].filter((l) => !dead.includes(l));
    const names = (list: string[]) => list.map((l) => `'${l}'`).join(', ');
    return {
      ...stats,
      norm,
      maxAbs,
      detail:
        `dead after ${names(dead)}: its gamma and beta are 0, so it outputs 0 whatever ` +
        `${quiet.length > 0 ? names(quiet) : 'its input'} computes`,
    };
  };
}
