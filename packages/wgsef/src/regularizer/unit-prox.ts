/**
 * Helpers between the model binding and the training plan: the WGSEF prox of one budget unit on its own
 * group norms (what the `'auto'` controller probes to scale its first lambda), and a binding whose units
 * carry the k of a sparsity schedule.
 */
import { DEFAULT_ROOT_METHOD, weightedSefProxUnchecked } from '../weighted-sef-prox';
import type { ModelBinding } from './binding';

/** `prox_{penalty SEF_k(w ⊙ .)}(a)` of one unit (new norms in member order). */
export function unitProx(a: Float64Array, w: Float64Array, k: number, penalty: number): Float64Array {
  return weightedSefProxUnchecked(a, { k, lambda: penalty, weights: w, method: DEFAULT_ROOT_METHOD });
}

/** The same binding with unit u keeping `ks[u]` groups (a view: weights and variables are shared). */
export function withUnitKs(binding: ModelBinding, ks: ArrayLike<number>): ModelBinding {
  const units = binding.units.map((u, i) => ({ ...u, k: ks[i] as number }));
  return Object.assign(Object.create(Object.getPrototypeOf(binding)), binding, { units }) as ModelBinding;
}
