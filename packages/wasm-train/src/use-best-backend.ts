/**
 * Picks the fastest tfjs backend that can train here: native TensorFlow (tfjs-node-gpu or
 * tfjs-node) when it loads, else wasm with the klevel training kernels, else cpu with the fast
 * conv filter gradient. A forced choice never falls back silently.
 */
import * as tf from '@tensorflow/tfjs-core';
import { registerTrainingKernels, type TrainingKernelsReport } from './training-kernels';

/** A backend {@link useBestBackend} can select. */
export type BestBackendName = 'tensorflow' | 'wasm' | 'cpu';

/** Options of {@link useBestBackend}. */
export interface UseBestBackendOptions {
  /** Force this backend; throws if it cannot be used (no fallback). Default: automatic choice. */
  backend?: BestBackendName;
  /**
   * Where the wasm binaries live (passed to `setWasmPaths`). Default: located automatically in
   * Node next to `@tensorflow/tfjs-backend-wasm`; `false` leaves the paths alone (browser bundlers).
   */
  wasmPaths?: string | false;
  /** Passed to {@link registerTrainingKernels}. Default false. */
  allowUntestedTfjsVersion?: boolean;
}

/** The result of {@link useBestBackend}. */
export interface BestBackend {
  /** The active backend. */
  backend: BestBackendName;
  /** Why it was chosen (and why better ones were not). */
  reason: string;
  /** The training kernels registered (wasm and cpu only). */
  kernels?: TrainingKernelsReport;
}

const NODE_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const;

function isNode(): boolean {
  return typeof process !== 'undefined' && typeof process.versions?.node === 'string';
}

/** Dynamic import that bundlers leave alone (the specifier is not a literal). */
async function importOptional(specifier: string): Promise<unknown> {
  return import(/* @vite-ignore */ specifier);
}

function message(e: unknown): string {
  return e instanceof Error ? (e.message.split('\n')[0] ?? String(e)) : String(e);
}

async function activate(name: string): Promise<void> {
  let ok = false;
  try {
    ok = await tf.setBackend(name);
    await tf.ready();
  } catch (e) {
    throw new Error(`tf.setBackend('${name}') threw: ${message(e)}`);
  }
  if (!ok || tf.getBackend() !== name)
    throw new Error(`tf.setBackend('${name}') failed to initialise the backend`);
}

async function tryTensorflow(): Promise<string> {
  const failures: string[] = [];
  for (const pkg of NODE_PACKAGES) {
    try {
      await importOptional(pkg);
    } catch (e) {
      failures.push(`${pkg}: ${message(e)}`);
      continue;
    }
    await activate('tensorflow');
    return `${pkg} loaded: native TensorFlow backend`;
  }
  throw new Error(`neither tfjs-node package could be loaded (${failures.join('; ')})`);
}

/** Directory (with trailing slash) holding the tfjs-backend-wasm binaries, found via Node resolution. */
export async function locateWasmBinaries(): Promise<string> {
  const { createRequire } = await import('node:module');
  const { dirname } = await import('node:path');
  const req = createRequire(import.meta.url);
  return `${dirname(req.resolve('@tensorflow/tfjs-backend-wasm'))}/`;
}

async function tryWasm(options: UseBestBackendOptions): Promise<TrainingKernelsReport> {
  let wasm: { setWasmPaths(prefix: string): void };
  try {
    wasm = (await importOptional('@tensorflow/tfjs-backend-wasm')) as typeof wasm;
  } catch (e) {
    throw new Error(`@tensorflow/tfjs-backend-wasm could not be loaded (${message(e)}); install it`);
  }
  const initialised = tf.engine().registry.wasm != null;
  if (!initialised && options.wasmPaths !== false) {
    const prefix = options.wasmPaths ?? (isNode() ? await locateWasmBinaries() : undefined);
    if (prefix != null) wasm.setWasmPaths(prefix);
  }
  await activate('wasm');
  return registerTrainingKernels('wasm', { allowUntestedTfjsVersion: options.allowUntestedTfjsVersion });
}

async function tryCpu(options: UseBestBackendOptions): Promise<TrainingKernelsReport> {
  try {
    await importOptional('@tensorflow/tfjs-backend-cpu');
  } catch (e) {
    throw new Error(`@tensorflow/tfjs-backend-cpu could not be loaded (${message(e)}); install it`);
  }
  await activate('cpu');
  return registerTrainingKernels('cpu', { allowUntestedTfjsVersion: options.allowUntestedTfjsVersion });
}

/**
 * Activates the best training backend and registers the klevel training kernels on it.
 *
 * Order: `'tensorflow'` if `@tensorflow/tfjs-node-gpu` or `@tensorflow/tfjs-node` can be imported,
 * else `'wasm'` (binaries located automatically in Node; XNNPACK + SIMD) with the training
 * kernels, else `'cpu'` with the fast conv filter gradient. With `options.backend` the choice is
 * forced and any failure throws an Error naming the backend and the cause.
 *
 * @param options `backend` to force one, `wasmPaths`, `allowUntestedTfjsVersion`.
 * @returns `{ backend, reason, kernels }`.
 * @example
 * import { useBestBackend } from '@klevel/wasm-train';
 * const { backend, reason } = await useBestBackend(); // e.g. 'wasm'
 */
export async function useBestBackend(options: UseBestBackendOptions = {}): Promise<BestBackend> {
  const forced = options.backend;
  if (forced != null) {
    if (forced !== 'tensorflow' && forced !== 'wasm' && forced !== 'cpu') {
      throw new RangeError(
        `useBestBackend: options.backend must be 'tensorflow', 'wasm' or 'cpu', got '${forced}'.`,
      );
    }
    try {
      if (forced === 'tensorflow') return { backend: forced, reason: `forced; ${await tryTensorflow()}` };
      const kernels = forced === 'wasm' ? await tryWasm(options) : await tryCpu(options);
      return { backend: forced, reason: `forced by options.backend='${forced}'`, kernels };
    } catch (e) {
      throw new Error(
        `useBestBackend: the forced backend '${forced}' cannot be used: ${message(e)}. ` +
          'Install the missing package or drop options.backend to let useBestBackend choose.',
      );
    }
  }
  const skipped: string[] = [];
  try {
    return { backend: 'tensorflow', reason: await tryTensorflow() };
  } catch (e) {
    skipped.push(`tensorflow: ${message(e)}`);
  }
  try {
    const kernels = await tryWasm(options);
    return {
      backend: 'wasm',
      reason: `wasm with klevel training kernels (skipped ${skipped.join('; ')})`,
      kernels,
    };
  } catch (e) {
    skipped.push(`wasm: ${message(e)}`);
  }
  const kernels = await tryCpu(options).catch((e: unknown) => {
    throw new Error(
      `useBestBackend: no training backend could be used (${[...skipped, `cpu: ${message(e)}`].join('; ')}).`,
    );
  });
  return {
    backend: 'cpu',
    reason: `cpu with the fast conv filter gradient (skipped ${skipped.join('; ')})`,
    kernels,
  };
}
