/**
 * The default zero test looks at both ends of every channel. A channel is provably dead when its filter is
 * zero (the producer end: kernel slice, bias, BatchNorm gamma/beta), or when every layer that reads it does
 * so with zero weights (the consumer end: the input slices of every consumer, what training with
 * `groups: 'channels'` zeroes). Both ends remove the same weight slices; this module picks, per channel, the
 * end that proves it dead, so a plain `prune(model)` removes channels whichever group type was trained.
 */
import type { GroupStats } from './group-stats';

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
