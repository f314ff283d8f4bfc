/**
 * The `lambda: 'auto'` controller: pure host math on the group norms (no tensors).
 *
 * What it measures: for every block (a layer in scope 'layer', the whole model in scope 'global') the
 * energy fraction outside the current top k,
 *   rho = sum_{groups outside the top k} (w_j a_j)^2 / sum_all (w_j a_j)^2,
 * from the group norms the prox computes anyway. rho is what `finalize()` will throw away: when it is small
 * the exact-k cut costs almost nothing. Unlike the count of zero groups (which jumps like a switch when
 * lambda crosses a threshold), rho moves smoothly with lambda.
 *
 * How it moves lambda: rho follows a decaying target, from its value at the first step to `rhoEnd` at the
 * target step, `rho*(t) = rhoEnd + (rho0 - rhoEnd) (1 - p)^power`, p = progress in [0, 1]. Every step,
 * `log lambda += clip(gain * log(rho / rho*), -maxRate, maxRate)`: a bounded multiplicative step, so one
 * step never changes lambda by more than a factor exp(maxRate). lambda is capped so that the ridge shrink of
 * the groups the prox keeps, `lr * lambda * w^2` per step, stays below `maxShrink * lr / lrMax` (lrMax: the
 * largest step size seen so far). The cap follows the learning rate: as lr decays, the kept groups' shrink
 * stays the same fraction of the gradient step (a bound on `lambda * w^2`, like a weight decay), instead of
 * growing against ever smaller gradient steps. `maxShrinkGrowth` lets it grow geometrically by the target
 * step (by default it does not).
 *
 * Why it cannot overshoot below k: it only sets the strength of the WGSEF prox, which keeps at least k
 * groups of every block nonzero for any strength (spec section 4), and the keep floor
 * ({@link enforceKeepFloor}) restores the top k of a layer should rounding ever zero one of them.
 */

/** Settings of the controller (all have defaults, see {@link AUTO_LAMBDA_DEFAULTS}). */
export interface AutoLambdaSettings {
  /** Energy fraction outside the top k aimed at by the target step. */
  rhoEnd: number;
  /** Exponent of the decay of the rho target (3: cubic, as Keras' PolynomialDecay). */
  power: number;
  /** Largest change of log lambda per step; 0 (the default) derives it from the step budget
   *  ({@link budgetRate}). */
  maxRate: number;
  /** Gain on log(rho / rho*). */
  gain: number;
  /** First-step shrink of the median group outside the top k, as a fraction of its norm. */
  initialShrink: number;
  /** Cap on the ridge shrink `lr * lambda * w^2` that one prox applies to a kept (head) group at the largest
   *  learning rate of the fit; at a smaller lr the cap is `maxShrink * lr / lrMax`, so the cap on lambda
   *  itself stays `maxShrink / (lrMax w^2)`. See {@link AutoLambdaSettings.maxShrinkGrowth}. */
  maxShrink: number;
  /** Factor by which the `maxShrink` cap grows (geometrically) by the target step. 1 (the default): the same
   *  cap all through the fit. A short fit at a constant learning rate may need > 1 for a clean cut. */
  maxShrinkGrowth: number;
}

export const AUTO_LAMBDA_DEFAULTS: Readonly<AutoLambdaSettings> = Object.freeze({
  rhoEnd: 1e-2,
  power: 3,
  maxRate: 0,
  gain: 0.2,
  initialShrink: 1e-2,
  maxShrink: 1e-3,
  maxShrinkGrowth: 1,
});

/**
 * The default largest change of log lambda per step for a budget of `steps` steps: 10 in log over the
 * budget (lambda can cross four decades, a factor e^10 = 2.2e4, within it), clamped to [0.02, 0.25].
 */
export function budgetRate(steps: number): number {
  return Math.min(0.25, Math.max(0.02, 10 / Math.max(1, steps)));
}

/** One block of groups sharing one k and one lambda. */
export interface AutoBlock {
  members: ArrayLike<number>;
  k: number;
}

/** The prox of one block at a penalty (new norms of the block's members, in member order). */
export type BlockProx = (a: Float64Array, w: Float64Array, k: number, penalty: number) => Float64Array;

/** rho of one block: energy of the weighted norms outside the top k over the total (0 when all zero). */
export function tailEnergyFraction(b: ArrayLike<number>, k: number): number {
  const sq = Float64Array.from(b, (x) => x * x).sort();
  let total = 0;
  let tail = 0;
  const cut = sq.length - k;
  for (let i = 0; i < sq.length; i++) {
    total += sq[i] as number;
    if (i < cut) tail += sq[i] as number;
  }
  return total > 0 ? tail / total : 0;
}

/** The rho target at `progress` in [0, 1] (clamped). */
export function rhoTarget(rho0: number, rhoEnd: number, power: number, progress: number): number {
  const p = Math.min(1, Math.max(0, progress));
  const start = Math.max(rho0, rhoEnd);
  return rhoEnd + (start - rhoEnd) * (1 - p) ** power;
}

/** Median of the entries (copy sorted). */
function median(x: ArrayLike<number>): number {
  const s = Float64Array.from(x).sort();
  if (s.length === 0) return 0;
  const h = s.length >> 1;
  return s.length % 2 ? (s[h] as number) : ((s[h - 1] as number) + (s[h] as number)) / 2;
}

/** Indices (into the block) of the groups outside the top k by weighted norm. */
function bottomIndices(b: Float64Array, k: number): number[] {
  const idx = Array.from(b, (_, i) => i).sort((i, j) => (b[j] as number) - (b[i] as number) || i - j);
  return idx.slice(k);
}

/**
 * The initial penalty `lr * lambda`: the one whose prox shrinks the median group outside the top k by
 * `shrink` of its norm (bisection in log space on the block's own prox). 0 when nothing is outside.
 */
export function initialPenalty(
  a: Float64Array,
  w: Float64Array,
  k: number,
  shrink: number,
  prox: BlockProx,
): number {
  const b = a.map((x, i) => x * (w[i] as number));
  const bottom = bottomIndices(b, k).filter((i) => (a[i] as number) > 0);
  if (bottom.length === 0) return 0;
  const shrinkAt = (penalty: number) => {
    const t = prox(a, w, k, penalty);
    return median(bottom.map((i) => 1 - (t[i] as number) / (a[i] as number)));
  };
  let lo = -60;
  let hi = 10;
  for (let it = 0; it < 60; it++) {
    const mid = (lo + hi) / 2;
    if (shrinkAt(Math.exp(mid)) < shrink) lo = mid;
    else hi = mid;
  }
  return Math.exp((lo + hi) / 2);
}

/** State of one block, exposed for logging. */
export interface AutoBlockState {
  lambda: number;
  rho: number;
  rho0: number;
  target: number;
}

/**
 * The controller for a set of blocks. Call {@link AutoLambda.update} once per prox with the group norms
 * just before the prox; it returns the lambda of each block for that prox.
 */
export class AutoLambda {
  readonly settings: AutoLambdaSettings;
  private readonly state: AutoBlockState[] = [];
  /** The largest step size seen so far: the cap on the kept groups' shrink is relative to it. */
  private lrMax = 0;

  constructor(
    private readonly weights: Float64Array,
    private readonly prox: BlockProx,
    settings: Partial<AutoLambdaSettings> = {},
  ) {
    this.settings = { ...AUTO_LAMBDA_DEFAULTS, ...settings };
    if (!(this.settings.maxRate > 0)) {
      throw new RangeError(
        `AutoLambda: maxRate must be > 0, got ${this.settings.maxRate} (the training plan derives it from the step budget).`,
      );
    }
  }

  /** Per-block state after the last update (lambda, rho, rho0, target). */
  get blocks(): readonly AutoBlockState[] {
    return this.state;
  }

  /**
   * New lambdas for one prox.
   * @param norms group norms before the prox (all groups).
   * @param blocks the blocks with their k (same blocks, same order, every call).
   * @param lr the step size of the step just taken.
   * @param progress fraction of the way to the target step (>= 1 after it).
   */
  update(norms: Float64Array, blocks: readonly AutoBlock[], lr: number, progress: number): Float64Array {
    const s = this.settings;
    const out = new Float64Array(blocks.length);
    this.lrMax = Math.max(this.lrMax, lr);
    const lrScale = this.lrMax > 0 ? lr / this.lrMax : 1;
    blocks.forEach((blk, i) => {
      const a = Float64Array.from(blk.members, (j) => norms[j] as number);
      const w = Float64Array.from(blk.members, (j) => this.weights[j] as number);
      const b = a.map((x, q) => x * (w[q] as number));
      const rho = tailEnergyFraction(b, blk.k);
      const prev = this.state[i];
      if (prev === undefined || !(prev.lambda > 0)) {
        // (re)start once the block has groups outside its top k (a schedule may start with k = m)
        const pen = lr > 0 ? initialPenalty(a, w, blk.k, s.initialShrink, this.prox) : 0;
        this.state[i] = { lambda: pen > 0 ? pen / lr : 0, rho, rho0: prev?.rho0 ?? rho, target: rho };
        if (prev !== undefined && pen > 0 && prev.rho0 === 0) (this.state[i] as AutoBlockState).rho0 = rho;
      }
      const st = this.state[i] as AutoBlockState;
      st.rho = rho;
      st.target = rhoTarget(st.rho0, s.rhoEnd, s.power, progress);
      if (st.lambda > 0) {
        // rho = 0 (the tail is exactly zero): relax at the largest rate
        const err = rho > 0 ? s.gain * Math.log(rho / st.target) : -s.maxRate;
        st.lambda *= Math.exp(Math.max(-s.maxRate, Math.min(s.maxRate, err)));
      }
      // the shrink of the kept groups costs accuracy the fine-tune does not give back: at full scale a cap that
      // follows the lr (1e-3) beat a constant per-step cap (3e-3) by 0.6 point of validation, and a cap
      // growing tenfold by the target step lost 0.5 point (docs/concepts/auto-lambda.md)
      const shrink = lrScale * s.maxShrink * s.maxShrinkGrowth ** Math.min(1, Math.max(0, progress));
      st.lambda = Math.min(st.lambda, lambdaCap(w, blk.k, b, lr, shrink));
      out[i] = st.lambda;
    });
    return out;
  }
}

/** Largest lambda whose ridge shrink of the top-k groups `lr lambda w^2` stays below `maxShrink`. */
export function lambdaCap(
  w: Float64Array,
  k: number,
  b: Float64Array,
  lr: number,
  maxShrink: number,
): number {
  if (!(lr > 0)) return Number.POSITIVE_INFINITY;
  const top = Array.from(b, (_, i) => i)
    .sort((i, j) => (b[j] as number) - (b[i] as number) || i - j)
    .slice(0, k);
  let w2 = 0;
  for (const i of top) w2 = Math.max(w2, (w[i] as number) ** 2);
  return w2 > 0 ? maxShrink / (lr * w2) : Number.POSITIVE_INFINITY;
}

/**
 * The keep floor: if a prox left fewer than `floor[l]` nonzero groups in layer l (possible only through
 * rounding, the WGSEF prox keeps k), the `floor[l]` largest groups before the prox get back their norm,
 * ridge-shrunk as a head group would be. Returns `after` (modified in place) and how many were restored.
 */
export function enforceKeepFloor(
  before: ArrayLike<number>,
  after: Float64Array,
  layerGroups: readonly ArrayLike<number>[],
  floor: ArrayLike<number>,
  weights: ArrayLike<number>,
  penaltyOf: (j: number) => number,
): number {
  let restored = 0;
  layerGroups.forEach((members, l) => {
    const need = floor[l] as number;
    let nz = 0;
    for (let i = 0; i < members.length; i++) if ((after[members[i] as number] as number) > 0) nz++;
    if (nz >= need) return;
    const order = Array.from(members).sort(
      (x, y) =>
        (weights[y] as number) * (before[y] as number) - (weights[x] as number) * (before[x] as number) ||
        x - y,
    );
    for (const j of order.slice(0, need)) {
      if ((after[j] as number) > 0 || !((before[j] as number) > 0)) continue;
      after[j] = (before[j] as number) / (1 + penaltyOf(j) * (weights[j] as number) ** 2);
      restored++;
    }
  });
  return restored;
}
