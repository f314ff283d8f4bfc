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
import { checkWasmThreads, prepareWasmThreads, unrefWasmWorkers } from './wasm-threads';

/** Options of the Node {@link useBestBackend}. */
export interface NodeUseBestBackendOptions extends UseBestBackendOptions {
  /**
   * Where the wasm binaries live (passed to `setWasmPaths`). Default: located next to
   * `@tensorflow/tfjs-backend-wasm` through Node resolution; `false` leaves the paths alone.
   */
  wasmPaths?: string | false;
  /**
   * XNNPACK threads of the wasm backend (Node only, opt-in). Default 1: tfjs' single-threaded SIMD build.
   * Above 1, the threaded SIMD build is started with that many threads (see docs/wasm-threads.md: it works
   * around tfjs #3830 for the length of the init, and results are bit-identical to one thread). Must be given
   * before anything initialises wasm in the process; throws if it cannot be honoured (never falls back).
   */
  wasmThreads?: number;
}

/** The result of the Node {@link useBestBackend}. */
export interface NodeBestBackend extends BestBackend {
  /** XNNPACK threads of the wasm backend (only when `backend` is `'wasm'`). */
  wasmThreads?: number;
}

interface WasmModule {
  setWasmPaths(prefix: string): void;
  setThreadsCount(n: number): void;
  getThreadsCount(): number;
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

async function loadWasm(
  options: NodeUseBestBackendOptions,
  reasons: MissingReasons,
): Promise<WasmModule | undefined> {
  let wasm: WasmModule;
  try {
    wasm = (await importOptional('@tensorflow/tfjs-backend-wasm')) as WasmModule;
  } catch (e) {
    reasons.wasm = `@tensorflow/tfjs-backend-wasm could not be loaded (${errorMessage(e)}); install it`;
    return undefined;
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
  return wasm;
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
 * With `options.wasmThreads: n` (n > 1) the wasm backend runs XNNPACK on n threads (opt-in; see
 * docs/wasm-threads.md); it throws if that cannot be honoured.
 *
 * @param options `backend` to force one, `wasmPaths`, `wasmThreads`, `allowUntestedTfjsVersion`.
 * @returns `{ backend, reason, kernels, wasmThreads }`.
 * @example
 * import { useBestBackend } from '@klevel/wasm-train/node';
 * const { backend, reason } = await useBestBackend(); // e.g. 'wasm'
 * // or, on a machine with two idle cores: await useBestBackend({ backend: 'wasm', wasmThreads: 2 });
 */
export async function useBestBackend(options: NodeUseBestBackendOptions = {}): Promise<NodeBestBackend> {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`useBestBackend: options must be an object, got ${String(options)}.`);
  }
  const threads = options.wasmThreads == null ? 1 : checkWasmThreads(options.wasmThreads);
  const reasons: MissingReasons = {};
  const forced = options.backend;
  const notes: Partial<Record<'tensorflow', string>> = {};
  if (forced == null || forced === 'tensorflow') {
    const loaded = await loadTensorflow(reasons);
    if (loaded) notes.tensorflow = loaded;
  }
  const wasm = forced == null || forced === 'wasm' ? await loadWasm(options, reasons) : undefined;
  if (forced == null || forced === 'cpu') await loadCpu(reasons);
  // An explicit wasmThreads (1 included) is verified against the running backend; none leaves wasm as it is.
  if (options.wasmThreads == null || wasm == null) return selectBackend(options, reasons, notes);
  return selectWithThreads(threads, wasm, () => selectBackend(options, reasons, notes));
}

/** Runs the selection with `threads` XNNPACK threads prepared for wasm, and checks they started. */
async function selectWithThreads(
  threads: number,
  wasm: WasmModule,
  select: () => Promise<BestBackend>,
): Promise<NodeBestBackend> {
  const initialised = tf.engine().registry.wasm != null;
  const restore =
    initialised || threads === 1 ? () => {} : prepareWasmThreads(threads, (n) => wasm.setThreadsCount(n));
  let chosen: BestBackend;
  try {
    chosen = await select();
  } finally {
    restore();
  }
  if (chosen.backend !== 'wasm') return chosen;
  if (!initialised && threads > 1) unrefWasmWorkers();
  const actual = wasm.getThreadsCount();
  if (actual !== threads) {
    throw new Error(
      `useBestBackend: options.wasmThreads is ${threads} but the wasm backend runs ${actual} thread(s)` +
        (initialised
          ? ': it was initialised before this call, and its thread count is fixed then. Call useBestBackend({ wasmThreads }) first.'
          : '. The threaded build did not start as expected; drop wasmThreads to use the single-threaded build.'),
    );
  }
  const note = threads > 1 ? `; ${threads} XNNPACK threads` : '';
  return { ...chosen, reason: `${chosen.reason}${note}`, wasmThreads: threads };
}
