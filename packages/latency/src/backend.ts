/**
 * Backend switching for the benchmark: 'tensorflow', 'webgl', 'wasm' and 'cpu' through @klevel/wasm-train's
 * `useBestBackend({ backend })` (registered backends only, with the training kernels on wasm and cpu, never a
 * silent fallback, and an error naming the package to import when one is missing); other registered tfjs
 * backends (e.g. webgpu) through `tf.setBackend`. The Node entry passes wasm-train's Node `useBestBackend`,
 * which also loads the backend packages by name.
 */
import { type BestBackend, type BestBackendName, useBestBackend } from '@klevel/wasm-train';
import * as tf from '@tensorflow/tfjs-core';

/** The backend that is active after {@link activateBackend}, and why. */
export interface ActiveBackend {
  backend: string;
  reason: string;
}

/** Backends handled by @klevel/wasm-train's `useBestBackend`. */
export const NODE_BACKENDS: readonly string[] = ['tensorflow', 'webgl', 'wasm', 'cpu'];

/** Names a benchmark can use: the `useBestBackend` ones plus every backend registered with tfjs. */
export function knownBackends(): string[] {
  const registered = Object.keys(
    (tf.engine() as unknown as { registryFactory: Record<string, unknown> }).registryFactory,
  );
  return [...new Set([...NODE_BACKENDS, ...registered])];
}

/** How a `useBestBackend`-style function selects a named backend. */
export type SelectBackend = (options: { backend: BestBackendName }) => Promise<BestBackend>;

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
export async function activateBackend(
  name: string,
  select: SelectBackend = useBestBackend,
): Promise<ActiveBackend> {
  if (NODE_BACKENDS.includes(name)) {
    const chosen = await select({ backend: name as BestBackendName });
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
