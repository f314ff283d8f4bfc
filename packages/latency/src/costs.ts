/** Static cost of a model: parameters (tfjs) and multiply-accumulates per sample (@klevel/groups' countFlops). */
import { countFlops } from '@klevel/groups';
import type * as tfl from '@tensorflow/tfjs-layers';

/** A MAC counter: multiply-accumulates per sample in `total`. */
export type FlopCounter = (model: tfl.LayersModel) => { total: number };

/** @klevel/groups' `countFlops` (conv, depthwise, separable, transposed conv and dense MACs per sample). */
export function defaultFlopCounter(): FlopCounter {
  return (model) => countFlops(model);
}

/**
 * Parameters and MACs per sample of `model`. A MAC counting failure (e.g. a layer the counter does not know) is
 * not fatal: `macs` is null and `macsError` says why, so latency is still reported and the gap is visible.
 *
 * @example
 * modelCosts(lenet5(), defaultFlopCounter()); // { params: 61706, macs: 416520 }
 */
export function modelCosts(
  model: tfl.LayersModel,
  counter: FlopCounter,
): { params: number; macs: number | null; macsError?: string } {
  const params = model.countParams();
  try {
    const { total } = counter(model);
    if (!Number.isFinite(total) || total < 0) throw new Error(`counter returned total=${total}`);
    return { params, macs: total };
  } catch (err) {
    return { params, macs: null, macsError: (err as Error).message };
  }
}
