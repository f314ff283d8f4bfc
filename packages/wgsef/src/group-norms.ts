/**
 * Contiguous groups on the host: their norms (`segmentNorms`), default weights, and the validated input
 * bundle that every host-side WGSEF / group-lasso function starts from.
 */
import { checkFiniteArray, checkOffsets, checkWeights } from './validate';

/** Euclidean norm of v[start, end) in float64, safe against overflow and underflow of the squares. */
function rangeNorm(v: ArrayLike<number>, start: number, end: number): number {
  let ss = 0;
  for (let i = start; i < end; i++) {
    const x = v[i] as number;
    ss += x * x;
  }
  if (ss > 1e-280 && ss < 1e280) return Math.sqrt(ss);
  let big = 0;
  for (let i = start; i < end; i++) big = Math.max(big, Math.abs(v[i] as number));
  if (big === 0) return 0;
  let s2 = 0;
  for (let i = start; i < end; i++) {
    const x = (v[i] as number) / big;
    s2 += x * x;
  }
  return big * Math.sqrt(s2);
}

/** Norms of the contiguous groups [offsets[j], offsets[j+1]) of v (unchecked). */
export function segmentNormsUnchecked(v: ArrayLike<number>, offsets: ArrayLike<number>): Float64Array {
  const m = offsets.length - 1;
  const a = new Float64Array(m);
  for (let j = 0; j < m; j++) a[j] = rangeNorm(v, offsets[j] as number, offsets[j + 1] as number);
  return a;
}

/**
 * Euclidean norm of each contiguous segment (group) `v[groupOffsets[j] .. groupOffsets[j+1])` of a plain
 * vector, in float64. (The norms of a model's groups are `groupNorms(partition, model.weights)` of
 * @klevel/groups, or `reg.binding.groupNorms()` of an attached regularizer.)
 * @param v values (finite)
 * @param groupOffsets non-decreasing integers from 0 to v.length (empty groups allowed; their norm is 0)
 * @example segmentNorms([3, 4, 1], [0, 2, 3]) // Float64Array [5, 1]
 */
export function segmentNorms(v: ArrayLike<number>, groupOffsets: ArrayLike<number>): Float64Array {
  const x = checkFiniteArray('segmentNorms', 'v', v);
  const offsets = checkOffsets('segmentNorms', groupOffsets, x.length, true);
  return segmentNormsUnchecked(x, offsets);
}

/**
 * The default group weights `w_j = sqrt(|G_j|)` (the group-lasso convention) for contiguous groups.
 * @example defaultGroupWeights([0, 4, 5]) // Float64Array [2, 1]
 */
export function defaultGroupWeights(groupOffsets: ArrayLike<number>): Float64Array {
  const last = groupOffsets.length > 0 ? (groupOffsets[groupOffsets.length - 1] as number) : 0;
  const offsets = checkOffsets('defaultGroupWeights', groupOffsets, last, false);
  const m = offsets.length - 1;
  const w = new Float64Array(m);
  for (let j = 0; j < m; j++) w[j] = Math.sqrt((offsets[j + 1] as number) - (offsets[j] as number));
  return w;
}

/** A validated (v, groups, weights) triple. */
export interface GroupedInput {
  v: ArrayLike<number>;
  offsets: Int32Array;
  weights: Float64Array;
  m: number;
}

/**
 * Validates v, groupOffsets and weights (default sqrt(size); with the default, empty groups are
 * rejected because their weight would be 0).
 */
export function checkGroupedInput(
  fn: string,
  v: unknown,
  groupOffsets: unknown,
  weights: unknown,
): GroupedInput {
  const x = checkFiniteArray(fn, 'v', v);
  const offsets = checkOffsets(fn, groupOffsets, x.length, weights !== undefined);
  const m = offsets.length - 1;
  let w: Float64Array;
  if (weights === undefined) {
    w = new Float64Array(m);
    for (let j = 0; j < m; j++) w[j] = Math.sqrt((offsets[j + 1] as number) - (offsets[j] as number));
  } else {
    w = checkWeights(fn, weights, m);
  }
  return { v: x, offsets, weights: w, m };
}

/** x_{G_j} = scale_j * v_{G_j} for every group, as a new Float64Array. */
export function scaleGroupsHost(
  v: ArrayLike<number>,
  offsets: Int32Array,
  scale: Float64Array,
): Float64Array {
  const out = new Float64Array(v.length);
  const m = offsets.length - 1;
  for (let j = 0; j < m; j++) {
    const s = scale[j] as number;
    const end = offsets[j + 1] as number;
    if (s === 0) continue;
    for (let i = offsets[j] as number; i < end; i++) out[i] = s * (v[i] as number);
  }
  return out;
}
