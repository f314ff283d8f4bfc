import type { Group } from '@klevel/groups';
import { describe, expect, it } from 'vitest';
import type { GroupStats } from './group-stats';
import { selectGroups, weightedNorm } from './select-groups';

/** A synthetic filter group of `layer`, owning kernel[..., index] (+ an input slice of `consumer`). */
function stats(
  layer: string,
  index: number,
  norm: number,
  opts: Partial<Group> & { consumer?: string } = {},
): GroupStats {
  const slices = [
    {
      layerName: layer,
      weightName: 'kernel',
      variableName: `${layer}/kernel`,
      axis: 3,
      indices: [index],
      regularized: true,
    },
  ];
  if (opts.consumer) {
    slices.push({
      layerName: opts.consumer,
      weightName: 'kernel',
      variableName: `${opts.consumer}/kernel`,
      axis: 2,
      indices: [index],
      regularized: false,
    });
  }
  const group: Group = {
    id: `${layer}/filters/${index}`,
    type: 'filters',
    layerName: layer,
    index,
    slices,
    size: 9,
    weight: 3,
    removable: opts.removable ?? true,
    ...(opts.reason !== undefined ? { reason: opts.reason } : {}),
  };
  return { group, norm, maxAbs: norm };
}

const ids = (xs: Array<{ group: Group } | { id: string }>) =>
  xs.map((x) => ('group' in x ? x.group.id : x.id));

describe('selectGroups', () => {
  const layer = (norms: number[], name = 'c', consumer?: string) =>
    norms.map((n, i) => stats(name, i, n, consumer ? { consumer } : {}));

  it('zero test: removable groups within tolerance; zero non-removable ones are reported', () => {
    const all = [
      ...layer([0, 1, 0, 1e-8]),
      stats('out', 0, 0, { removable: false, reason: 'feeds a model output' }),
    ];
    const s = selectGroups(all);
    expect(ids(s.removed)).toEqual(['c/filters/0', 'c/filters/2']);
    expect(s.decisions.kept).toMatchObject([
      { id: 'out/filters/0', reason: 'not-removable', detail: 'feeds a model output' },
    ]);
    expect(ids(selectGroups(all, { tolerance: 1e-6 }).removed)).toEqual([
      'c/filters/0',
      'c/filters/2',
      'c/filters/3',
    ]);
  });

  it('keep: k per layer by importance, ties broken by index', () => {
    const all = [...layer([5, 1, 3, 1, 4]), ...layer([1, 2], 'd')];
    expect(ids(selectGroups(all, { keep: 2 }).removed)).toEqual([
      'c/filters/2',
      'c/filters/1',
      'c/filters/3',
    ]);
    expect(ids(selectGroups(all, { keep: { d: 1 } }).removed)).toEqual(['d/filters/0']);
    expect(selectGroups(all, { keep: 2 }).decisions.removed.every((g) => g.reason === 'below-top-k')).toBe(
      true,
    );
    expect(weightedNorm(all[0]!)).toBe(15);
  });

  it('roundTo puts back the most important removed groups until a multiple of N is kept', () => {
    const all = layer([0, 0, 0, 0, 0, 1, 1, 1, 0, 0]); // 7 zero, 3 kept
    const s = selectGroups(all, { roundTo: 4 });
    expect(s.removed).toHaveLength(6); // 4 kept
    expect(s.decisions.kept.map((g) => g.reason)).toEqual(['round-to']);
    expect(selectGroups(all, { roundTo: 16 }).removed).toEqual([]); // never more than the layer has
  });

  it('exclude keeps groups touching an excluded layer (producer or consumer)', () => {
    const all = layer([0, 0], 'c', 'next');
    const s = selectGroups(all, { exclude: ['next'] });
    expect(s.removed).toEqual([]);
    expect(s.decisions.kept.map((g) => [g.reason, g.detail])).toEqual([
      ['excluded', "touches excluded layer 'next'"],
      ['excluded', "touches excluded layer 'next'"],
    ]);
  });

  it('select by ids or predicate; bad options are errors', () => {
    const all = [...layer([1, 2, 3]), stats('out', 0, 0, { removable: false, reason: 'output' })];
    expect(ids(selectGroups(all, { select: ['c/filters/1'] }).removed)).toEqual(['c/filters/1']);
    expect(ids(selectGroups(all, { select: (s) => s.norm > 1.5 && s.group.removable }).removed)).toEqual([
      'c/filters/1',
      'c/filters/2',
    ]);
    expect(() => selectGroups(all, { select: ['out/filters/0'] })).toThrow(/not removable \(output\)/);
    expect(() => selectGroups(all, { select: ['x'] })).toThrow(/names group 'x'/);
    expect(() => selectGroups(all, { roundTo: 1.5 })).toThrow(/'roundTo' must be an integer >= 1, got 1.5/);
    expect(() => selectGroups(all, { importance: 3 as never })).toThrow(/'importance' must be a function/);
  });
});
