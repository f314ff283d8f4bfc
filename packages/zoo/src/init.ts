/** Seeded weight initializers so every reference model can be rebuilt bit-for-bit. */
import * as tfl from '@tensorflow/tfjs-layers';

/** Anything `kernelInitializer` accepts. */
export type Initializer = ReturnType<typeof tfl.initializers.glorotUniform>;

/**
 * A source of per-layer seeded Glorot-uniform initializers. Layer `i` (in call order) gets seed `seed + i`, so
 * two models built with the same seed have identical weights on every backend. Without a seed it returns
 * `undefined`, which keeps tfjs' default (unseeded) initializer.
 *
 * @param seed - base seed, or undefined for tfjs' default random initialization.
 * @example
 * const next = seededKernels(7);
 * tfl.layers.dense({ units: 10, kernelInitializer: next() });
 */
export function seededKernels(seed: number | undefined): () => Initializer | undefined {
  if (seed === undefined) return () => undefined;
  if (!Number.isFinite(seed))
    throw new TypeError(`seededKernels: seed must be a finite number, received ${seed}`);
  let i = 0;
  return () => tfl.initializers.glorotUniform({ seed: seed + i++ });
}
