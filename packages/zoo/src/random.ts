/** Seeded pseudo-random numbers for reproducible shuffles and subsets (no dependence on Math.random). */

/**
 * mulberry32: a small, fast 32-bit generator with good statistical quality for shuffling.
 *
 * @param seed - any integer; equal seeds give equal sequences.
 * @returns a function returning floats in [0, 1).
 * @example
 * const rand = mulberry32(42); rand(); // 0.6011...
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A seeded permutation of `0..n-1` (Fisher-Yates).
 *
 * @param n - length of the permutation (a non-negative integer).
 * @param seed - the generator seed.
 * @example
 * shuffledIndices(5, 1); // e.g. Int32Array [3, 0, 4, 1, 2], the same on every run
 */
export function shuffledIndices(n: number, seed: number): Int32Array {
  if (!Number.isInteger(n) || n < 0) {
    throw new RangeError(`shuffledIndices: n must be a non-negative integer, received ${n}`);
  }
  const rand = mulberry32(seed);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const tmp = out[i]!;
    out[i] = out[j]!;
    out[j] = tmp;
  }
  return out;
}
