/**
 * Reproducible `model.fit` shuffles: tfjs-layers shuffles the sample order with `Math.random`, which cannot be
 * seeded, so `--seed` alone would not repeat a run. {@link withSeededMathRandom} swaps in a seeded generator
 * for the duration of one async call and restores the original afterwards.
 */
import { mulberry32 } from '@klevel/zoo';

/**
 * Runs `fn` with `Math.random` replaced by a seeded mulberry32 generator, then restores it (also on error).
 * @example const h = await withSeededMathRandom(1, () => model.fit(xs, ys, { shuffle: true }));
 */
export async function withSeededMathRandom<T>(seed: number, fn: () => Promise<T>): Promise<T> {
  const original = Math.random;
  Math.random = mulberry32(seed);
  try {
    return await fn();
  } finally {
    Math.random = original;
  }
}
