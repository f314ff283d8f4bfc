/**
 * Picks the fastest tfjs backend that can train, among the backends the app registered (imported):
 * native TensorFlow (tfjs-node), then webgl, then wasm with the klevel training kernels, then cpu with the
 * fast conv filter gradient. Browser-safe: it imports no backend package itself (in Node,
 * `useBestBackend` from `@klevel/wasm-train/node` loads them first). A forced choice never falls back.
 */
import * as tf from '@tensorflow/tfjs-core';
import { registerTrainingKernels, type TrainingKernelsReport } from './training-kernels';

/** A backend {@link useBestBackend} can select. */
export type BestBackendName = 'tensorflow' | 'webgl' | 'wasm' | 'cpu';

/** Options of {@link useBestBackend}. */
export interface UseBestBackendOptions {
  /** Force this backend; throws if it cannot be used (no fallback). Default: automatic choice. */
  backend?: BestBackendName;
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

/** The automatic order, best first. */
export const BEST_BACKEND_ORDER: readonly BestBackendName[] = ['tensorflow', 'webgl', 'wasm', 'cpu'];

/** What to import to register each backend. */
const PACKAGE_OF: Record<BestBackendName, string> = {
  tensorflow: '@tensorflow/tfjs-node',
  webgl: '@tensorflow/tfjs-backend-webgl',
  wasm: '@tensorflow/tfjs-backend-wasm',
  cpu: '@tensorflow/tfjs-backend-cpu',
};

/**
 * Why backends that are not registered are missing, by name (set by the Node entry when loading a backend
 * package failed, so the error says why instead of "import it").
 * @internal
 */
export type MissingReasons = Partial<Record<BestBackendName, string>>;

export function errorMessage(e: unknown): string {
  return e instanceof Error ? (e.message.split('\n')[0] ?? String(e)) : String(e);
}

function missing(name: BestBackendName, reasons: MissingReasons): string {
  return (
    reasons[name] ??
    `backend '${name}' is not registered: import '${PACKAGE_OF[name]}' in your app` +
      (name === 'webgl' ? '' : " (in Node, useBestBackend from '@klevel/wasm-train/node' loads it for you)")
  );
}

const OPTIONAL: readonly BestBackendName[] = ['tensorflow', 'webgl'];

function isRegistered(name: BestBackendName): boolean {
  return tf.findBackendFactory(name) != null || tf.findBackend(name) != null;
}

async function activate(name: BestBackendName, reasons: MissingReasons): Promise<void> {
  if (!isRegistered(name) || reasons[name] != null) {
    throw new Error(missing(name, reasons));
  }
  let ok = false;
  try {
    ok = await tf.setBackend(name);
    await tf.ready();
  } catch (e) {
    throw new Error(`tf.setBackend('${name}') threw: ${errorMessage(e)}`);
  }
  if (!ok || tf.getBackend() !== name)
    throw new Error(`tf.setBackend('${name}') failed to initialise the backend`);
}

async function tryBackend(
  name: BestBackendName,
  options: UseBestBackendOptions,
  reasons: MissingReasons,
): Promise<TrainingKernelsReport | undefined> {
  await activate(name, reasons);
  if (name !== 'wasm' && name !== 'cpu') return undefined;
  return registerTrainingKernels(name, { allowUntestedTfjsVersion: options.allowUntestedTfjsVersion });
}

const CHOSEN: Record<BestBackendName, string> = {
  tensorflow: 'native TensorFlow backend',
  webgl: 'webgl (GPU)',
  wasm: 'wasm with klevel training kernels',
  cpu: 'cpu with the fast conv filter gradient',
};

/**
 * Shared by both entries: selects among the registered backends.
 * @internal
 */
export async function selectBackend(
  options: UseBestBackendOptions,
  reasons: MissingReasons,
  notes: Partial<Record<BestBackendName, string>> = {},
): Promise<BestBackend> {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`useBestBackend: options must be an object, got ${String(options)}.`);
  }
  const forced = options.backend;
  if (forced != null) {
    if (!BEST_BACKEND_ORDER.includes(forced)) {
      throw new RangeError(
        `useBestBackend: options.backend must be one of ${BEST_BACKEND_ORDER.map((b) => `'${b}'`).join(', ')}, ` +
          `got '${String(forced)}'.`,
      );
    }
    try {
      const kernels = await tryBackend(forced, options, reasons);
      const note = notes[forced] ? `; ${notes[forced]}` : '';
      return {
        backend: forced,
        reason: `forced by options.backend='${forced}'${note}`,
        ...(kernels ? { kernels } : {}),
      };
    } catch (e) {
      throw new Error(
        `useBestBackend: the forced backend '${forced}' cannot be used: ${errorMessage(e)}. ` +
          'Register (import) the missing backend or drop options.backend to let useBestBackend choose.',
      );
    }
  }
  const skipped: string[] = [];
  for (const name of BEST_BACKEND_ORDER) {
    // Optional accelerators the app did not register are not worth a note; a failed load (Node) is.
    if (OPTIONAL.includes(name) && !isRegistered(name) && reasons[name] == null) continue;
    try {
      const kernels = await tryBackend(name, options, reasons);
      const note = notes[name] ? `${notes[name]}: ` : '';
      const why = skipped.length > 0 ? ` (skipped ${skipped.join('; ')})` : '';
      return { backend: name, reason: `${note}${CHOSEN[name]}${why}`, ...(kernels ? { kernels } : {}) };
    } catch (e) {
      skipped.push(`${name}: ${errorMessage(e)}`);
    }
  }
  throw new Error(
    `useBestBackend: no training backend could be used (${skipped.join('; ')}). Import a backend package ` +
      "in your app, e.g. import '@tensorflow/tfjs-backend-wasm' or '@tensorflow/tfjs-backend-cpu'.",
  );
}

/**
 * Activates the best training backend among those the app registered, and registers the klevel training
 * kernels on it (wasm, cpu).
 *
 * Order: `'tensorflow'` (tfjs-node), `'webgl'`, `'wasm'` with the training kernels, `'cpu'` with the fast
 * conv filter gradient; a backend counts when its package was imported (registered with tfjs). Imports no
 * package itself, so it works in any bundle; in Node, `useBestBackend` from `@klevel/wasm-train/node` also
 * loads tfjs-node, the wasm backend (locating its binaries) and the cpu backend. With `options.backend` the
 * choice is forced and any failure throws an Error naming the backend, the cause and what to import.
 *
 * @param options `backend` to force one, `allowUntestedTfjsVersion`.
 * @returns `{ backend, reason, kernels }`.
 * @example
 * import '@tensorflow/tfjs-backend-wasm';
 * import { useBestBackend } from '@klevel/wasm-train';
 * const { backend, reason } = await useBestBackend(); // 'wasm' (or 'webgl' if it is registered too)
 */
export function useBestBackend(options: UseBestBackendOptions = {}): Promise<BestBackend> {
  return selectBackend(options, {});
}
