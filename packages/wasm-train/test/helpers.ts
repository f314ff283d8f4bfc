/**
 * Test helpers of @klevel/wasm-train. (This package does not use @klevel/test-utils: test-utils
 * registers these kernels, and a dependency back would make a workspace cycle.)
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
// The ESM tfjs-core entry does not register gradients; tfjs-layers does the same import.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { registerTrainingKernels, unregisterTrainingKernels, useBestBackend } from '../src/index';

/** Activates `name` with the klevel training kernels registered. */
export async function useBackend(name: 'wasm' | 'cpu'): Promise<void> {
  if (tf.getBackend() === name && tf.engine().registry[name] != null) {
    registerTrainingKernels(name);
    return;
  }
  await useBestBackend({ backend: name });
}

/** Runs `fn` on the cpu backend with its stock kernels (the reference), restoring klevel's after. */
export async function withStockCpu<T>(fn: () => T): Promise<T> {
  await useBackend('cpu');
  unregisterTrainingKernels('cpu');
  try {
    return fn();
  } finally {
    registerTrainingKernels('cpu');
  }
}

/** Deterministic uniform(-1, 1) values (mulberry32). */
export function seededArray(size: number, seed: number): Float32Array {
  const next = mulberry32(seed);
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = next() * 2 - 1;
  return out;
}

/** mulberry32 PRNG in [0, 1). */
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

/** max |a - b| / max |b| (0 when both are all zero). */
export function maxRelativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let maxAbs = 0;
  let maxDiff = 0;
  for (let i = 0; i < b.length; i++) {
    maxAbs = Math.max(maxAbs, Math.abs(b[i] as number));
    const d = Math.abs((a[i] as number) - (b[i] as number));
    if (Number.isNaN(d)) return Number.POSITIVE_INFINITY;
    maxDiff = Math.max(maxDiff, d);
  }
  return maxAbs === 0 ? maxDiff : maxDiff / maxAbs;
}

/** Runs one kernel through the engine on the active backend and returns its values. */
export function runKernelValues(
  name: string,
  inputs: Record<string, { values: Float32Array | Int32Array; shape: number[]; dtype?: 'float32' | 'int32' }>,
  attrs: Record<string, unknown>,
): { values: Float32Array; shape: number[] } {
  let result: { values: Float32Array; shape: number[] } | undefined;
  tf.tidy(() => {
    const ts: tf.NamedTensorMap = {};
    for (const [k, v] of Object.entries(inputs)) ts[k] = tf.tensor(v.values, v.shape, v.dtype ?? 'float32');
    const out = tf.engine().runKernel(name, ts, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
    result = { values: Float32Array.from(out.dataSync()), shape: out.shape.slice() };
  });
  return result as { values: Float32Array; shape: number[] };
}
