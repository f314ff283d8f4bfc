/**
 * The half-space projection decision of HSPG on the m groups, from group-wise inner products (pure; no
 * tensors). With the trial point `x_hat_g = r_g x_g - lr * d_g`, `d_g = mu * m_g + grad_f_g` (the momentum
 * buffer of the data gradient; `m_g` is the buffer before this step) and `r_g` the regularizer's shrink of
 * the group: `1 - lr f_g` for the gradient step (`lambda * grad R = f_g x_g`), or the prox ratio
 * `prox_{lr lambda R}(a)_g / a_g`:
 *
 *   dot(x_hat_g, x_g) = r_g ||x_g||^2 - lr * (mu * dot(m_g, x_g) + dot(grad_f_g, x_g))
 *
 * and a group that was nonzero is projected to zero when `dot(x_hat_g, x_g) < eps * ||x_g||^2`, as long
 * as the keep floor allows it (see keep-floor.ts: the groups with the most negative normalized margin go
 * first; the others take the trial step). Zero groups stay zero.
 *
 * reference: Chen et al., "Orthant Based Proximal Stochastic Gradient Method for l1-Regularized
 * Optimization" / "Only Train Once" (HSPG, 2020-2021); docs/concepts/hspg.md.
 */

import { type KeepFloor, limitProjections } from './keep-floor';

/** Inputs of {@link halfSpaceDecision}: per-group sums (length m each). */
export interface HalfSpaceInputs {
  /** `||x_g||^2`. */
  sqNorms: ArrayLike<number>;
  /** `dot(grad_f_g, x_g)`. */
  gradDots: ArrayLike<number>;
  /** `dot(m_g, x_g)` of the momentum buffer before the step (zeros without momentum). */
  momentumDots?: ArrayLike<number>;
  /** Regularizer gradient factors `f_g` (lambda * grad R = f_g x_g); used when `shrink` is not given. */
  factors: ArrayLike<number>;
  /**
   * The regularizer's part of the trial point as a per-group multiplier: `x_hat_g = shrink_g x_g - lr d_g`
   * with `d_g` the data direction. Defaults to the gradient step `1 - lr f_g`; the optimizer's
   * `regularizerStep: 'prox'` passes the prox ratio `prox_{lr lambda R}(a)_g / a_g` instead.
   */
  shrink?: ArrayLike<number>;
  learningRate: number;
  momentum: number;
  epsilon: number;
  /** How many groups must stay nonzero (per layer, in total). Without it every candidate is projected. */
  floor?: KeepFloor;
}

/** Which groups survive the step. */
export interface HalfSpaceDecision {
  /** 1 for groups that were nonzero before the step (they take the trial step). */
  nonzero: Float64Array;
  /** 1 for groups nonzero after the step (nonzero and not projected). */
  keep: Float64Array;
  /** Number of groups projected to zero by this step. */
  projected: number;
  /** Number of groups that failed the half-space test but were kept by the floor. */
  held: number;
}

/**
 * Decides, group by group, who takes the trial step and who is projected to zero.
 * @example halfSpaceDecision({ sqNorms, gradDots, factors, learningRate: 0.05, momentum: 0, epsilon: 0.05 })
 */
export function halfSpaceDecision(inputs: HalfSpaceInputs): HalfSpaceDecision {
  const {
    sqNorms,
    gradDots,
    momentumDots,
    factors,
    shrink,
    learningRate: lr,
    momentum: mu,
    epsilon,
    floor,
  } = inputs;
  const m = sqNorms.length;
  const nonzero = new Float64Array(m);
  const keep = new Float64Array(m);
  const margins = new Float64Array(m);
  const candidates: number[] = [];
  for (let j = 0; j < m; j++) {
    const s = sqNorms[j] as number;
    if (!(s > 0)) continue;
    nonzero[j] = 1;
    keep[j] = 1;
    const dm = momentumDots ? mu * (momentumDots[j] as number) : 0;
    const r = shrink ? (shrink[j] as number) : 1 - lr * (factors[j] as number);
    const dot = r * s - lr * (dm + (gradDots[j] as number));
    margins[j] = dot / s;
    if (dot < epsilon * s) candidates.push(j);
  }
  const projectedGroups = floor ? limitProjections(nonzero, candidates, margins, floor) : candidates;
  for (const j of projectedGroups) keep[j] = 0;
  return {
    nonzero,
    keep,
    projected: projectedGroups.length,
    held: candidates.length - projectedGroups.length,
  };
}
