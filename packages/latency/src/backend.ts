/**
 * Backend switching for the benchmark: 'tensorflow', 'wasm' and 'cpu' through @klevel/wasm-train's
 * `useBestBackend({ backend })` (which loads tfjs-node when installed, locates the wasm binaries, and never falls
 * back silently); other registered tfjs backends (webgl, webgpu in a browser) through `tf.setBackend`.
 */
import { useBestBackend } from '@klevel/wasm-train';
import * as tf from '@tensorflow/tfjs-core';

/** The backend that is active after {@link activateBackend}, and why. */
export interface ActiveBackend {
  backend: string;
  reason: string;
}

/** Backends handled by @klevel/wasm-train's `useBestBackend`. */
export const NODE_BACKENDS: readonly string[] = ['tensorflow', 'wasm', 'cpu'];

/** Names a benchmark can use: the Node backends plus every backend registered with tfjs. */
export function knownBackends(): string[] {
  const registered = Object.keys(
    (tf.engine() as unknown as { registryFactory: Record<string, unknown> }).registryFactory,
  );
  return [...new Set([...NODE_BACKENDS, ...registered])];
}

/**
 * Checks backend names before any work starts: a non-empty list of known, distinct names.
 *
 * @throws RangeError naming the unknown backend and listing the known ones.
 */
export function validateBackends(backends: readonly string[]): void {
  if (!Array.isArray(backends) || backends.length === 0) {
    throw new RangeError(
      `benchmarkLatency: options.backends must be a non-empty list of backend names, received [${String(backends)}]`,
    );
  }
  const known = knownBackends();
  for (const b of backends) {
    if (typeof b !== 'string' || !known.includes(b)) {
      throw new RangeError(
        `benchmarkLatency: unknown backend '${String(b)}'; known backends: ${known.join(', ')} ` +
          '(register a browser backend such as webgl by importing its package first)',
      );
    }
  }
  const dupe = backends.find((b, i) => backends.indexOf(b) !== i);
  if (dupe) throw new RangeError(`benchmarkLatency: backend '${dupe}' is listed twice`);
}

/**
 * Makes `name` the active backend and waits until it is ready.
 *
 * @throws Error when the backend cannot be initialised (never falls back to another one).
 * @example
 * const { backend, reason } = await activateBackend('wasm');
 */
export async function activateBackend(name: string): Promise<ActiveBackend> {
  if (NODE_BACKENDS.includes(name)) {
    const chosen = await useBestBackend({ backend: name as 'tensorflow' | 'wasm' | 'cpu' });
    return { backend: chosen.backend, reason: chosen.reason };
  }
  let ok = false;
  try {
    ok = await tf.setBackend(name);
    await tf.ready();
  } catch (err) {
    throw new Error(`activateBackend: backend '${name}' failed to initialise: ${(err as Error).message}`);
  }
  if (!ok || tf.getBackend() !== name)
    throw new Error(`activateBackend: backend '${name}' failed to initialise`);
  return { backend: name, reason: `tf.setBackend('${name}')` };
}
