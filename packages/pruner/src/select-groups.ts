/**
 * Which groups to remove: the pure decision part of planning, over measured groups.
 *
 * Modes (exactly one applies): `select` (explicit ids or a predicate), `keep` (keep the k largest weighted
 * norms per layer), or the default zero test (every removable group whose regularized parameters are all
 * within `tolerance` of zero). Then `exclude`, `roundTo` and the last-channel rule may put groups back.
 */
import type { GroupStats } from './group-stats';
import type { GroupDecisionReason, PlannedGroup } from './plan-types';

/** Options that decide which groups are removed. */
export interface SelectionOptions {
  /** A group is zero when every regularized |x| <= tolerance. Defaults to 0 (exact zeros). */
  tolerance?: number;
  /**
   * Remove exactly these groups (ids), or those the predicate accepts, instead of the zero test. Listing a
   * non-removable group or an unknown id is an error. Defaults to undefined (zero test).
   */
  select?: readonly string[] | ((stats: GroupStats) => boolean);
  /**
   * Keep exactly k removable groups per layer (a number for every layer, or per layer name), the ones with
   * the largest weighted norm w_j * ||x_j||; remove the rest. Defaults to undefined (zero test).
   */
  keep?: number | Readonly<Record<string, number>>;
  /**
   * Keep channel counts at multiples of N (wasm/XNNPACK run faster on multiples of 8): in each layer that
   * loses groups, the largest removed groups are put back (as zeros) until the kept count is a multiple of
   * N or the layer is whole. Defaults to 1.
   */
  roundTo?: number;
  /** Layers that must stay unchanged: groups touching them are not removed. Defaults to []. */
  exclude?: readonly string[];
  /**
   * How important a group is, for `keep` (the k most important stay) and `roundTo` (the most important
   * removed groups come back first). Defaults to the weighted norm w_j * ||x_j||.
   */
  importance?: (stats: GroupStats) => number;
}

/** The default importance: the weighted group norm w_j * ||x_j|| (the term the WGSEF penalty sums). */
export const weightedNorm = (s: GroupStats): number => s.group.weight * s.norm;

/** The outcome of the selection. */
export interface Selection {
  removed: GroupStats[];
  decisions: { removed: PlannedGroup[]; kept: PlannedGroup[] };
}

const planned = (s: GroupStats, reason: GroupDecisionReason, detail?: string): PlannedGroup => {
  const text = [detail, s.detail].filter((x) => x !== undefined).join('; ');
  return {
    id: s.group.id,
    layerName: s.group.layerName,
    type: s.group.type,
    index: s.group.index,
    norm: s.norm,
    maxAbs: s.maxAbs,
    reason,
    ...(text !== '' ? { detail: text } : {}),
  };
};

function checkOptions(o: SelectionOptions): void {
  const modes = [o.select !== undefined, o.keep !== undefined].filter(Boolean).length;
  if (modes > 1) {
    throw new TypeError("planPruning: give at most one of 'select' and 'keep' (they are alternative modes).");
  }
  if (o.tolerance !== undefined && !(o.tolerance >= 0 && Number.isFinite(o.tolerance))) {
    throw new RangeError(`planPruning: 'tolerance' must be a finite number >= 0, got ${o.tolerance}.`);
  }
  if (o.importance !== undefined && typeof o.importance !== 'function') {
    throw new TypeError(
      `planPruning: 'importance' must be a function (stats) => number, got ${typeof o.importance}.`,
    );
  }
  if (o.roundTo !== undefined && !(Number.isInteger(o.roundTo) && o.roundTo >= 1)) {
    throw new RangeError(`planPruning: 'roundTo' must be an integer >= 1, got ${o.roundTo}.`);
  }
  const ks = typeof o.keep === 'number' ? [o.keep] : Object.values(o.keep ?? {});
  for (const k of ks) {
    if (!(Number.isInteger(k) && k >= 1))
      throw new RangeError(`planPruning: 'keep' values must be integers >= 1, got ${k}.`);
  }
}

/** Decides which measured groups to remove. */
export function selectGroups(all: readonly GroupStats[], options: SelectionOptions = {}): Selection {
  checkOptions(options);
  const importance = options.importance ?? weightedNorm;
  const tolerance = options.tolerance ?? 0;
  const exclude = new Set(options.exclude ?? []);
  const kept: PlannedGroup[] = [];
  let candidates: GroupStats[] = [];
  let reason: GroupDecisionReason = 'zero';

  if (options.select !== undefined) {
    reason = 'selected';
    const select = options.select;
    if (typeof select === 'function') {
      candidates = all.filter((s) => select(s));
    } else {
      const byId = new Map(all.map((s) => [s.group.id, s]));
      for (const id of select) {
        const s = byId.get(id);
        if (s === undefined)
          throw new Error(`planPruning: 'select' names group '${id}', which the partition does not have.`);
        candidates.push(s);
      }
    }
    for (const s of candidates) {
      if (!s.group.removable) {
        throw new Error(
          `planPruning: selected group '${s.group.id}' is not removable (${s.group.reason ?? 'no reason given'}). ` +
            'Remove it from the selection.',
        );
      }
    }
  } else if (options.keep !== undefined) {
    reason = 'below-top-k';
    const byLayer = groupByLayer(all.filter((s) => s.group.removable));
    for (const [layer, groups] of byLayer) {
      const k = typeof options.keep === 'number' ? options.keep : options.keep[layer];
      if (k === undefined) continue;
      const ranked = [...groups].sort(
        (a, b) => importance(b) - importance(a) || a.group.index - b.group.index,
      );
      candidates.push(...ranked.slice(k));
    }
  } else {
    for (const s of all) {
      if (!(s.maxAbs <= tolerance)) continue;
      if (s.group.removable) candidates.push(s);
      else kept.push(planned(s, 'not-removable', s.group.reason));
    }
  }

  let removed = candidates.filter((s) => {
    const touched = s.group.slices.find((sl) => exclude.has(sl.layerName));
    if (touched === undefined) return true;
    kept.push(planned(s, 'excluded', `touches excluded layer '${touched.layerName}'`));
    return false;
  });

  if ((options.roundTo ?? 1) > 1)
    removed = applyRoundTo(all, removed, options.roundTo as number, kept, importance);
  const reasonOf = reason;
  return { removed, decisions: { removed: removed.map((s) => planned(s, reasonOf)), kept } };
}

function groupByLayer(stats: readonly GroupStats[]): Map<string, GroupStats[]> {
  const out = new Map<string, GroupStats[]>();
  for (const s of stats) {
    const list = out.get(s.group.layerName);
    if (list) list.push(s);
    else out.set(s.group.layerName, [s]);
  }
  return out;
}

function applyRoundTo(
  all: readonly GroupStats[],
  removed: GroupStats[],
  n: number,
  kept: PlannedGroup[],
  importance: (s: GroupStats) => number,
): GroupStats[] {
  // Per layer and group type: a layer's input-channel groups (model inputs) do not count as its filters.
  const byLayerAndType = (list: readonly GroupStats[]) => {
    const out = new Map<string, GroupStats[]>();
    for (const [layer, groups] of groupByLayer(list)) {
      for (const s of groups) {
        const key = `${layer}\u0000${s.group.type}`;
        const bucket = out.get(key);
        if (bucket) bucket.push(s);
        else out.set(key, [s]);
      }
    }
    return out;
  };
  const total = byLayerAndType(all);
  const back = new Set<GroupStats>();
  for (const [key, groups] of byLayerAndType(removed)) {
    const layer = key.slice(0, key.indexOf('\u0000'));
    const count = total.get(key)?.length ?? groups.length;
    const keptCount = count - groups.length;
    const target = Math.min(count, Math.max(n, Math.ceil(keptCount / n) * n));
    const ranked = [...groups].sort((a, b) => importance(b) - importance(a) || a.group.index - b.group.index);
    for (const s of ranked.slice(0, target - keptCount)) {
      back.add(s);
      kept.push(
        planned(s, 'round-to', `keeps ${target} of ${count} groups of '${layer}' (a multiple of ${n})`),
      );
    }
  }
  return removed.filter((s) => !back.has(s));
}
