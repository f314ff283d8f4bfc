/**
 * The penalties as pure functions of the m group norms (no tensors, no model): `sum_u lambda_u R_u(a)`
 * over budget units u (a layer in scope 'layer', all groups in scope 'global'), its prox and its gradient
 * factors. The model binding supplies the shape; the regularizer classes only pick a penalty.
 *
 * Floor: in each layer l the `floors[l]` groups with the largest weighted norm are protected (global
 * scope); WGSEF ridge-regularizes them (`1/2 (w_j a_j)^2`) and the rest of the unit shares `SEF_{k - |P|}`,
 * group lasso exempts them. reference: docs/concepts/k-level-sparsity.md; wgsef.ts, group-lasso.ts.
 */
import { groupLassoNormsProxUnchecked } from '../group-lasso';
import { sefSplitUnchecked } from '../sef';
import { DEFAULT_ROOT_METHOD, weightedSefProxUnchecked } from '../weighted-sef-prox';
import { wgsefGradientFactors } from '../wgsef-factors';
import { protectedGroups } from './budget';

/** One budget unit: groups that share one k and one lambda. */
export interface PenaltyUnit {
  /** The layer name (scope 'layer') or `'global'`. */
  name: string;
  /** Group indices of the unit (ascending). */
  members: Int32Array;
  /** Groups the unit keeps (0: no budget, a group lasso without `keep`). */
  k: number;
}

/** What a penalty needs to know about the groups: pure data. */
export interface PenaltyShape {
  /** Group weights w_j > 0. */
  weights: Float64Array;
  /** The group indices of each layer. */
  layerGroups: Int32Array[];
  /** Protected groups per layer (0: none). */
  floors: Int32Array;
  units: PenaltyUnit[];
  /** Unit index of each group. */
  unitOf: Int32Array;
}

/** A penalty on group norms with one lambda per unit. Pure: same inputs, same outputs. */
export interface GroupPenalty {
  /** `sum_u lambdas[u] R_u(a)`. */
  value(norms: Float64Array, lambdas: ArrayLike<number>): number;
  /** New norms `prox_{sum_u steps[u] R_u}(a)`, with `steps[u] = lr * lambda_u >= 0`. */
  prox(norms: Float64Array, steps: ArrayLike<number>): Float64Array;
  /** `f_j` with `(sum_u lambda_u grad R_u)` on group j equal to `f_j x_{G_j}` (0 on zero groups). */
  gradientFactors(norms: Float64Array, lambdas: ArrayLike<number>): Float64Array;
}

/** The groups of one unit outside the protected set P, their weights, and the k they share. */
interface SefBlock {
  rest: Int32Array;
  weights: Float64Array;
  k: number;
}

/** `v[idx[i]]` for every i (a plain loop: `Float64Array.from` with a map function is slow in V8). */
function gather(v: ArrayLike<number>, idx: ArrayLike<number>): Float64Array {
  const out = new Float64Array(idx.length);
  for (let i = 0; i < idx.length; i++) out[i] = v[idx[i] as number] as number;
  return out;
}

function sefBlocks(shape: PenaltyShape, ridge: Uint8Array | undefined): SefBlock[] {
  return shape.units.map((u) => {
    const rest = ridge ? u.members.filter((j) => !ridge[j]) : u.members;
    return { rest, weights: gather(shape.weights, rest), k: u.k - (u.members.length - rest.length) };
  });
}

/** `WGSEF_k` per unit (ridge on the protected groups). */
export function wgsefPenalty(shape: PenaltyShape): GroupPenalty {
  const w = shape.weights;
  // Without a floor nothing is protected and the blocks are the units, the same for every call.
  const fixed = shape.floors.every((f) => f === 0) ? sefBlocks(shape, undefined) : undefined;
  const split = (norms: Float64Array) => {
    if (fixed) return { ridge: undefined, blocks: fixed };
    const ridge = protectedGroups(norms, shape, shape.floors);
    return { ridge, blocks: sefBlocks(shape, ridge) };
  };
  const lambdaOf = (lambdas: ArrayLike<number>, j: number) => lambdas[shape.unitOf[j] as number] as number;
  return {
    value(norms, lambdas) {
      const { ridge, blocks } = split(norms);
      let v = 0;
      ridge?.forEach((p, j) => {
        if (p) v += lambdaOf(lambdas, j) * 0.5 * ((w[j] as number) * (norms[j] as number)) ** 2;
      });
      blocks.forEach(({ rest, weights, k }, u) => {
        if (rest.length === 0) return;
        const b = gather(norms, rest).map((a, i) => (weights[i] as number) * a);
        v += (lambdas[u] as number) * sefSplitUnchecked(b, k).value;
      });
      return v;
    },
    prox(norms, steps) {
      const { ridge, blocks } = split(norms);
      const t = new Float64Array(norms.length);
      ridge?.forEach((p, j) => {
        if (p) t[j] = (norms[j] as number) / (1 + lambdaOf(steps, j) * (w[j] as number) ** 2);
      });
      blocks.forEach(({ rest, weights, k }, u) => {
        const step = steps[u] as number;
        const a = gather(norms, rest);
        const out =
          step === 0
            ? a
            : weightedSefProxUnchecked(a, { k, lambda: step, weights, method: DEFAULT_ROOT_METHOD });
        rest.forEach((j, i) => {
          t[j] = out[i] as number;
        });
      });
      return t;
    },
    gradientFactors(norms, lambdas) {
      const { ridge, blocks } = split(norms);
      const f = new Float64Array(norms.length);
      ridge?.forEach((p, j) => {
        if (p && (norms[j] as number) > 0) f[j] = lambdaOf(lambdas, j) * (w[j] as number) ** 2;
      });
      blocks.forEach(({ rest, weights, k }, u) => {
        const s = wgsefGradientFactors(gather(norms, rest), weights, k);
        rest.forEach((j, i) => {
          f[j] = (lambdas[u] as number) * (s[i] as number);
        });
      });
      return f;
    },
  };
}

/** `sum_{j not in P} w_j a_j` per unit (the protected groups are exempt). */
export function groupLassoPenalty(shape: PenaltyShape): GroupPenalty {
  const w = shape.weights;
  const exempt = (norms: Float64Array) => protectedGroups(norms, shape, shape.floors);
  const of = (v: ArrayLike<number>, j: number) => v[shape.unitOf[j] as number] as number;
  return {
    value(norms, lambdas) {
      const p = exempt(norms);
      let v = 0;
      norms.forEach((a, j) => {
        if (!p[j]) v += of(lambdas, j) * (w[j] as number) * a;
      });
      return v;
    },
    prox(norms, steps) {
      const p = exempt(norms);
      const thresholds = norms.map((_, j) => (p[j] ? 0 : of(steps, j) * (w[j] as number)));
      return groupLassoNormsProxUnchecked(norms, thresholds, 1, new Float64Array(norms.length));
    },
    gradientFactors(norms, lambdas) {
      const p = exempt(norms);
      return norms.map((a, j) => (p[j] || !(a > 0) ? 0 : (of(lambdas, j) * (w[j] as number)) / a));
    },
  };
}
