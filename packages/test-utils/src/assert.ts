/** Closeness and leak assertions shared by every package's tests. */
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';

/** Largest |a-b| / (|b|_inf + atol) over two arrays; the metric every closeness assertion reports. */
export function maxRelativeDifference(a: ArrayLike<number>, b: ArrayLike<number>, atol = 1e-12): number {
  expect(a.length, 'array lengths differ').toBe(b.length);
  let maxAbs = 0;
  let maxDiff = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    maxAbs = Math.max(maxAbs, Math.abs(y));
    const d = Math.abs(x - y);
    if (Number.isNaN(d)) return Number.POSITIVE_INFINITY;
    maxDiff = Math.max(maxDiff, d);
  }
  return maxDiff / (maxAbs + atol);
}

/** Asserts two arrays agree to `rtol` relative to the largest magnitude in `expected`. */
export function expectArraysClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol = 1e-6): void {
  const rel = maxRelativeDifference(actual, expected);
  expect(rel, `max relative difference ${rel.toExponential(3)} exceeds ${rtol}`).toBeLessThanOrEqual(rtol);
}

/** Asserts two tensors have the same shape and agree to `rtol`. */
export function expectTensorsClose(actual: tf.Tensor, expected: tf.Tensor, rtol = 1e-6): void {
  expect(actual.shape).toEqual(expected.shape);
  expectArraysClose(actual.dataSync(), expected.dataSync(), rtol);
}

/**
 * Runs `fn` and asserts the number of live tensors afterwards equals the number before plus `expectedDelta`
 * (the tensors `fn` intentionally returns and the caller owns).
 */
export async function expectNoLeaks<T>(fn: () => T | Promise<T>, expectedDelta = 0): Promise<T> {
  const before = tf.memory().numTensors;
  const result = await fn();
  const after = tf.memory().numTensors;
  expect(after - before, `tensor leak: ${after - before} tensors left behind (expected ${expectedDelta})`).toBe(
    expectedDelta,
  );
  return result;
}

/** Deterministic pseudo-random numbers (mulberry32) so tests never depend on Math.random. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal samples from a seeded generator (Box-Muller). */
export function seededNormal(seed: number): () => number {
  const u = seededRandom(seed);
  return () => {
    const u1 = Math.max(u(), 1e-300);
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u());
  };
}
