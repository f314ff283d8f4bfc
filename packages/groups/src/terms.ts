/**
 * LayoutTerms: the compact, tensor-free view of a partition used by device-side proxes, plus the check
 * that no parameter is regularized by two groups.
 */
import type { Group, LayoutTerm } from './types';

interface TermBuild {
  term: LayoutTerm;
  strides: number[];
}

function rowMajorStrides(dims: number[]): number[] {
  const strides = new Array<number>(dims.length).fill(1);
  for (let i = dims.length - 2; i >= 0; i--) strides[i] = strides[i + 1]! * dims[i + 1]!;
  return strides;
}

/** Coordinates of the positions of `term` projected on `axes` (a subset of term.groupAxes), with owners. */
function project(t: TermBuild, axes: number[]): Map<string, number> {
  const out = new Map<string, number>();
  const dims = t.term.groupAxes.map((a) => t.term.shape[a]!);
  const pick = axes.map((a) => t.term.groupAxes.indexOf(a));
  t.term.groupIds.forEach((g, pos) => {
    if (g < 0) return;
    const coords = pick.map((k) => Math.floor(pos / t.strides[k]!) % dims[k]!);
    const key = coords.join(',');
    if (!out.has(key)) out.set(key, g);
  });
  return out;
}

function overlapError(groups: Group[], a: number, b: number, variableName: string): Error {
  return new Error(
    `partitionGroups: groups '${groups[a]!.id}' and '${groups[b]!.id}' both regularize parameters of '${variableName}'; ` +
      'every parameter may belong to one group only. Change the rules so the two layers are not grouped twice ' +
      "(coupled filters across an Add or a consumer also own the other layers' slices)",
  );
}

/**
 * Builds one LayoutTerm per (variable, group axes) from the regularized slices of `groups`, and throws
 * when two groups regularize a common parameter.
 */
export function buildTerms(groups: Group[], shapes: Map<string, number[]>): LayoutTerm[] {
  const byKey = new Map<string, TermBuild>();
  const byVariable = new Map<string, TermBuild[]>();
  groups.forEach((group, gi) => {
    for (const s of group.slices) {
      if (!s.regularized) continue;
      const axes = s.axes ?? [s.axis];
      const key = `${s.variableName}|${axes.join(',')}`;
      let build = byKey.get(key);
      if (!build) {
        const shape = shapes.get(s.variableName)!;
        const dims = axes.map((a) => shape[a]!);
        const count = dims.reduce((p, d) => p * d, 1);
        build = {
          term: {
            variableName: s.variableName,
            layerName: s.layerName,
            weightName: s.weightName,
            shape: [...shape],
            groupAxes: [...axes],
            groupIds: new Int32Array(count).fill(-1),
          },
          strides: rowMajorStrides(dims),
        };
        byKey.set(key, build);
        const list = byVariable.get(s.variableName) ?? [];
        list.push(build);
        byVariable.set(s.variableName, list);
      }
      const ids = build.term.groupIds;
      for (const pos of s.indices) {
        const prev = ids[pos]!;
        if (prev !== -1 && prev !== gi) throw overlapError(groups, prev, gi, s.variableName);
        ids[pos] = gi;
      }
    }
  });
  for (const [variableName, list] of byVariable) {
    for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length; j++) {
        const a = list[i]!;
        const b = list[j]!;
        const common = a.term.groupAxes.filter((x) => b.term.groupAxes.includes(x));
        const pa = project(a, common);
        const pb = project(b, common);
        for (const [key, ga] of pa) {
          const gb = pb.get(key);
          if (gb !== undefined) throw overlapError(groups, ga, gb, variableName);
        }
      }
    }
  }
  return [...byKey.values()].map((b) => b.term);
}
