/**
 * The WGSEF and group-lasso proxes on weight tensors: group norms on the device, the m-vector prox on the
 * host in float64, one broadcast multiply per tensor on the device. Only m (+ positions) floats cross
 * between device and host; the weights never do.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { groupLassoNormsProxUnchecked } from '../group-lasso';
import type { RootMethod } from '../root-finding';
import { checkK, checkLambda, checkMethod, checkOptions, checkWeights, describeValue } from '../validate';
import { DEFAULT_ROOT_METHOD, weightedSefProxUnchecked } from '../weighted-sef-prox';
import { checkNumGroups, squaredNormsUnchecked, type TensorLayoutTerm, termGeometry } from './layout';
import { scaleGroupsUnchecked } from './scale';
import type { TermGeometry } from './term-ops';

/** Result of a tensor prox. */
export interface TensorProxResult {
  /** New tensors, one per term in term order (caller assigns and disposes them). */
  outputs: tf.Tensor[];
  /** Group norms a_j before the prox (float64, from float32 device sums). */
  normsBefore: Float64Array;
  /** Group norms t_j after the prox (as computed on the host). */
  normsAfter: Float64Array;
}

/** Options of {@link wgsefProxTensors}. */
export interface WgsefProxTensorsOptions {
  /** Number of groups to keep (integer >= 1; k >= numGroups allowed). */
  k: number;
  /** Penalty weight lambda >= 0 (in prox-SGD: learning rate times lambda). */
  lambda: number;
  /** Positive weights, one per group; default sqrt(number of scalars in the group across all terms). */
  weights?: ArrayLike<number>;
  /** Root-finding strategy of the group-norm prox. */
  method?: RootMethod;
}

/** Options of {@link groupLassoProxTensors}. */
export interface GroupLassoProxTensorsOptions {
  lambda: number;
  weights?: ArrayLike<number>;
}

interface Prepared {
  geos: TermGeometry[];
  m: number;
  weights: Float64Array;
}

function prepare(fn: string, terms: TensorLayoutTerm[], numGroups: number, weights: unknown): Prepared {
  const m = checkNumGroups(fn, numGroups);
  if (!Array.isArray(terms)) {
    throw new TypeError(
      `${fn}: 'terms' must be an array of { tensor, groupAxes, groupIds }; received ${describeValue(terms)}.`,
    );
  }
  let w: Float64Array;
  let geos: TermGeometry[];
  if (weights === undefined) {
    const sizes = new Float64Array(m);
    geos = terms.map((t, i) => termGeometry(fn, t, i, m, sizes));
    w = sizes;
    for (let j = 0; j < m; j++) {
      const s = sizes[j] as number;
      if (!(s > 0)) {
        throw new RangeError(
          `${fn}: group ${j} has no scalars in any term, so its default weight sqrt(size) would be 0. ` +
            "Fix: give every group at least one position in groupIds, lower 'numGroups', or pass explicit 'weights'.",
        );
      }
      w[j] = Math.sqrt(s);
    }
  } else {
    geos = terms.map((t, i) => termGeometry(fn, t, i, m));
    w = checkWeights(fn, weights, m);
  }
  return { geos, m, weights: w };
}

/** Which norms prox to run on the host (a plain record, not a closure: a fresh closure per call would
 * make V8 deoptimize this hot function on every call, "wrong call target"). */
interface NormsProx {
  kind: 'wgsef' | 'group-lasso';
  k: number;
  lambda: number;
  method: RootMethod;
}

async function applyNormsProx(
  terms: TensorLayoutTerm[],
  p: Prepared,
  prox: NormsProx,
): Promise<TensorProxResult> {
  const a = await squaredNormsUnchecked(terms, p.geos, p.m);
  return finishNormsProx(terms, p, prox, a);
}

/** Host part after the download: norms, prox, per-group scales, and the device rescale. */
function finishNormsProx(
  terms: TensorLayoutTerm[],
  p: Prepared,
  prox: NormsProx,
  a: Float64Array,
): TensorProxResult {
  const m = p.m;
  for (let j = 0; j < m; j++) a[j] = Math.sqrt(a[j] as number);
  const t = new Float64Array(m);
  if (prox.kind === 'wgsef') weightedSefProxUnchecked(a, { ...prox, weights: p.weights }, t);
  else groupLassoNormsProxUnchecked(a, p.weights, prox.lambda, t);
  const scales = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    const aj = a[j] as number;
    scales[j] = aj > 0 ? (t[j] as number) / aj : 0;
  }
  return { outputs: scaleGroupsUnchecked(terms, p.geos, scales), normsBefore: a, normsAfter: t };
}

/**
 * The WGSEF prox on weight tensors: `argmin_x 1/2 ||x - v||^2 + lambda WGSEF_k(x)` where the groups are
 * given by the layout (a group may span several tensors). Squared norms are reduced on the device and
 * only those m numbers are downloaded; {@link weightedSefProx} runs on the host in float64; each tensor
 * is rescaled by one broadcast multiply on the device.
 * @param terms the layout: tensors (float32), groupAxes, groupIds (see {@link TensorLayoutTerm})
 * @param numGroups number of groups m
 * @param options k (integer >= 1), lambda (>= 0), weights (default sqrt(group size)), method
 * @returns new tensors (caller assigns and disposes), and the group norms before/after
 * @example
 * const ids = Int32Array.from({ length: 16 }, (_, o) => o); // Conv2D [3,3,8,16]: one group per filter
 * const { outputs: [k2, b2] } = await wgsefProxTensors(
 *   [{ tensor: kernel, groupAxes: [3], groupIds: ids }, { tensor: bias, groupAxes: [0], groupIds: ids }],
 *   16, { k: 4, lambda: 1e-3 });
 */
export async function wgsefProxTensors(
  terms: TensorLayoutTerm[],
  numGroups: number,
  options: WgsefProxTensorsOptions,
): Promise<TensorProxResult> {
  const fn = 'wgsefProxTensors';
  const o = checkOptions(fn, options, '{ k: 2, lambda: 0.01 }');
  const k = checkK(fn, o.k);
  const lambda = checkLambda(fn, o.lambda);
  const method = checkMethod(fn, o.method) ?? DEFAULT_ROOT_METHOD;
  const p = prepare(fn, terms, numGroups, o.weights);
  return applyNormsProx(terms, p, { kind: 'wgsef', k, lambda, method });
}

/**
 * The group-lasso prox (group soft threshold) on weight tensors, with the same device/host split as
 * {@link wgsefProxTensors}: `t_j = max(0, a_j - lambda w_j)`.
 * @example const { outputs } = await groupLassoProxTensors(terms, 16, { lambda: 1e-3 });
 */
export async function groupLassoProxTensors(
  terms: TensorLayoutTerm[],
  numGroups: number,
  options: GroupLassoProxTensorsOptions,
): Promise<TensorProxResult> {
  const fn = 'groupLassoProxTensors';
  const o = checkOptions(fn, options, '{ lambda: 0.01 }');
  const lambda = checkLambda(fn, o.lambda);
  const p = prepare(fn, terms, numGroups, o.weights);
  return applyNormsProx(terms, p, { kind: 'group-lasso', k: 1, lambda, method: DEFAULT_ROOT_METHOD });
}
