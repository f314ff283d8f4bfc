/**
 * Node only: loads the backend packages that are installed (tfjs-node-gpu or tfjs-node, the wasm backend
 * with its binaries located in node_modules, the cpu backend), then selects among them like the browser-safe
 * `useBestBackend`. The dynamic imports of package names live here, never in the default entry.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import {
  type BestBackend,
  errorMessage,
  type MissingReasons,
  selectBackend,
  type UseBestBackendOptions,
} from './use-best-backend';

/** Options of the Node {@link useBestBackend}. */
export interface NodeUseBestBackendOptions extends UseBestBackendOptions {
  /**
   * Where the wasm binaries live (passed to `setWasmPaths`). Default: located next to
   * `@tensorflow/tfjs-backend-wasm` through Node resolution; `false` leaves the paths alone.
   */
  wasmPaths?: string | false;
}

const NODE_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const;

/** Dynamic import that bundlers leave alone (the specifier is not a literal). */
function importOptional(specifier: string): Promise<unknown> {
  return import(/* @vite-ignore */ specifier);
}

/** Directory (with trailing slash) holding the tfjs-backend-wasm binaries, found through Node resolution. */
export function locateWasmBinaries(): Promise<string> {
  const req = createRequire(import.meta.url);
  return Promise.resolve(`${dirname(req.resolve('@tensorflow/tfjs-backend-wasm'))}/`);
}

async function loadTensorflow(reasons: MissingReasons): Promise<string | undefined> {
  if (tf.findBackendFactory('tensorflow') != null) return 'tensorflow backend already registered';
  const failures: string[] = [];
  for (const pkg of NODE_PACKAGES) {
    try {
      await importOptional(pkg);
      return `${pkg} loaded`;
    } catch (e) {
      failures.push(`${pkg}: ${errorMessage(e)}`);
    }
  }
  reasons.tensorflow = `neither tfjs-node package could be loaded (${failures.join('; ')})`;
  return undefined;
}

async function loadWasm(options: NodeUseBestBackendOptions, reasons: MissingReasons): Promise<void> {
  let wasm: { setWasmPaths(prefix: string): void };
  try {
    wasm = (await importOptional('@tensorflow/tfjs-backend-wasm')) as typeof wasm;
  } catch (e) {
    reasons.wasm = `@tensorflow/tfjs-backend-wasm could not be loaded (${errorMessage(e)}); install it`;
    return;
  }
  const initialised = tf.engine().registry.wasm != null;
  if (!initialised && options.wasmPaths !== false) {
    try {
      wasm.setWasmPaths(options.wasmPaths ?? (await locateWasmBinaries()));
    } catch (e) {
      // e.g. an earlier failed initialisation: tfjs keeps it for the process.
      reasons.wasm = `setWasmPaths failed: ${errorMessage(e)}`;
    }
  }
}

async function loadCpu(reasons: MissingReasons): Promise<void> {
  try {
    await importOptional('@tensorflow/tfjs-backend-cpu');
  } catch (e) {
    reasons.cpu = `@tensorflow/tfjs-backend-cpu could not be loaded (${errorMessage(e)}); install it`;
  }
}

/**
 * Node: activates the best training backend that is installed and registers the klevel training kernels.
 *
 * Order: `'tensorflow'` if `@tensorflow/tfjs-node-gpu` or `@tensorflow/tfjs-node` can be imported, else
 * `'wasm'` (binaries located automatically; XNNPACK + SIMD) with the training kernels, else `'cpu'` with the
 * fast conv filter gradient. With `options.backend` the choice is forced and any failure throws an Error
 * naming the backend and the cause. In a browser use `useBestBackend` from `@klevel/wasm-train`.
 *
 * @param options `backend` to force one, `wasmPaths`, `allowUntestedTfjsVersion`.
 * @returns `{ backend, reason, kernels }`.
 * @example
 * import { useBestBackend } from '@klevel/wasm-train/node';
 * const { backend, reason } = await useBestBackend(); // e.g. 'wasm'
 */
export async function useBestBackend(options: NodeUseBestBackendOptions = {}): Promise<BestBackend> {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`useBestBackend: options must be an object, got ${String(options)}.`);
  }
  const reasons: MissingReasons = {};
  const forced = options.backend;
  const notes: Partial<Record<'tensorflow', string>> = {};
  if (forced == null || forced === 'tensorflow') {
    const loaded = await loadTensorflow(reasons);
    if (loaded) notes.tensorflow = loaded;
  }
  if (forced == null || forced === 'wasm') await loadWasm(options, reasons);
  if (forced == null || forced === 'cpu') await loadCpu(reasons);
  return selectBackend(options, reasons, notes);
}
