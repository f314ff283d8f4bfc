/**
 * The divergence guard: a group norm that is NaN or Infinity means the weights of its layer diverged (or
 * became so large that their squares overflow float32). Training code stops on it (like Keras'
 * TerminateOnNaN) so that a diverged model is never reported as sparse; `finalize()` refuses it.
 */
import type { GroupLayout } from './layout';

/** Names of the layers owning a group whose norm is not finite, in layout order. */
export function nonFiniteLayers(norms: ArrayLike<number>, layout: GroupLayout): string[] {
  const bad = new Set<number>();
  for (let j = 0; j < norms.length; j++) {
    if (!Number.isFinite(norms[j] as number)) bad.add(layout.layerOf[j] as number);
  }
  return [...bad].sort((a, b) => a - b).map((l) => layout.layerNames[l] as string);
}

/**
 * Throws when a group norm is not finite, naming the layers.
 * @param where who refuses, e.g. `'wgsef.prox'`
 * @param when e.g. `'at step 12'` (may be empty)
 * @param consequence what the refusal protects, e.g. `'so the model is not sparse'`
 */
export function assertFiniteNorms(
  where: string,
  norms: ArrayLike<number>,
  layout: GroupLayout,
  when: string,
  consequence = 'so the model is not sparse',
): void {
  const layers = nonFiniteLayers(norms, layout);
  if (layers.length === 0) return;
  const names = layers.map((n) => `'${n}'`).join(', ');
  throw new Error(
    `${where}: the regularized weights of layer${layers.length > 1 ? 's' : ''} ${names} are not finite (NaN or Infinity)${when ? ` ${when}` : ''}: training diverged, ${consequence}. ` +
      'Lower the learning rate or lambda, check the inputs and labels for NaN, or restore the last good checkpoint.',
  );
}
