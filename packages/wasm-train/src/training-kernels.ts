/**
 * Registration of the klevel training kernels on a tfjs backend: idempotent, reversible, and
 * guarded against tfjs drift (see `guards.ts`).
 */
import * as tf from '@tensorflow/tfjs-core';
import { makeBatchMatMul } from './batch-mat-mul';
import { makeConv2DBackpropFilter } from './conv2d-backprop-filter';
import { makeConv2DBackpropInput } from './conv2d-backprop-input';
import { makeDepthwiseBackpropFilter, makeDepthwiseBackpropInput } from './depthwise-backprop';
import { COMPOSED_KERNELS, checkComposedKernels, checkTfjsCoreVersion, selfCheckKernels } from './guards';
import { makeBroadcastTile, makeLeadingMean, makeLeadingSum } from './leading-axis-reductions';
import { makeMaxPoolGrad } from './max-pool-grad';
import { makeUnsortedSegmentSum } from './unsorted-segment-sum';

/** Backends that have training kernels in this package. */
export type TrainingBackend = 'wasm' | 'cpu';

/** What {@link registerTrainingKernels} did. */
export interface TrainingKernelsReport {
  /** The backend the kernels were registered for. */
  backend: TrainingBackend;
  /** Kernels the backend did not have and now has. */
  added: string[];
  /** Stock kernels replaced by a faster composite (restored by {@link unregisterTrainingKernels}). */
  replaced: string[];
  /** Kernels that were already the klevel versions (a repeated call changes nothing). */
  alreadyRegistered: string[];
  /** The loaded tfjs-core version. */
  tfjsCoreVersion: string;
}

/** Options of {@link registerTrainingKernels}. */
export interface RegisterTrainingKernelsOptions {
  /**
   * Register even if tfjs-core is outside `SUPPORTED_TFJS_CORE_RANGE` (the runtime self-check
   * still runs and still throws on a mismatch). Default `false`.
   */
  allowUntestedTfjsVersion?: boolean;
}

/** Marker stored on every klevel kernel function (global symbol: works across package copies). */
const MARKER = Symbol.for('@klevel/wasm-train/kernel');

interface MarkedKernelFunc extends tf.KernelFunc {
  [MARKER]?: { original: tf.KernelConfig | undefined };
}

const KERNEL_FACTORIES: Readonly<
  Record<TrainingBackend, ReadonlyArray<[string, (be: string) => tf.KernelFunc]>>
> = {
  wasm: [
    ['Conv2DBackpropFilter', makeConv2DBackpropFilter],
    ['Conv2DBackpropInput', makeConv2DBackpropInput],
    ['DepthwiseConv2dNativeBackpropFilter', makeDepthwiseBackpropFilter],
    ['DepthwiseConv2dNativeBackpropInput', makeDepthwiseBackpropInput],
    ['UnsortedSegmentSum', () => makeUnsortedSegmentSum()],
    ['BatchMatMul', makeBatchMatMul],
    ['Sum', makeLeadingSum],
    ['Mean', makeLeadingMean],
    ['Tile', makeBroadcastTile],
    ['MaxPoolGrad', makeMaxPoolGrad],
  ],
  cpu: [['Conv2DBackpropFilter', makeConv2DBackpropFilter]],
};

/** The kernel names registered for `backend`. */
export function trainingKernelNames(backend: TrainingBackend): string[] {
  return KERNEL_FACTORIES[backend].map(([name]) => name);
}

function assertTrainingBackend(fn: string, backendName: string): asserts backendName is TrainingBackend {
  if (backendName !== 'wasm' && backendName !== 'cpu') {
    throw new RangeError(
      `${fn}: backendName must be 'wasm' or 'cpu', got '${backendName}'. The 'tensorflow' (tfjs-node) backend ` +
        'already has native training kernels; other backends are not supported.',
    );
  }
}

function readyBackend(fn: string, backendName: TrainingBackend): tf.KernelBackend {
  if (tf.findBackendFactory(backendName) == null) {
    const pkg = `@tensorflow/tfjs-backend-${backendName}`;
    throw new Error(
      `${fn}: backend '${backendName}' is not registered. Import '${pkg}' first (or call useBestBackend(); in Node useBestBackend from '@klevel/wasm-train/node' imports it for you).`,
    );
  }
  const backend = tf.engine().registry[backendName];
  if (backend == null) {
    throw new Error(
      `${fn}: backend '${backendName}' is registered but not initialised yet. Call ` +
        `\`await tf.setBackend('${backendName}')\` (and \`await tf.ready()\`) before registering the training kernels.`,
    );
  }
  return backend;
}

function isKlevelKernel(config: tf.KernelConfig | undefined): boolean {
  return config != null && MARKER in (config.kernelFunc as MarkedKernelFunc);
}

/**
 * Registers the training kernels for `backendName`, which must already be initialised
 * (`await tf.setBackend(name)`):
 * - `'wasm'`: `Conv2DBackpropFilter`, a fast `Conv2DBackpropInput` (replaces the scalar stock
 *   kernel), `DepthwiseConv2dNativeBackpropFilter`, `DepthwiseConv2dNativeBackpropInput`,
 *   `UnsortedSegmentSum`, a `BatchMatMul` that multiplies transposed operands on XNNPACK (the stock
 *   kernel loops in scalar code for them, as every dense layer's gradients need), and `Sum`, `Mean` over
 *   leading axes and broadcasting `Tile` on XNNPACK (bias and BatchNorm gradients, BatchNorm moments; the
 *   stock kernels transpose or loop element by element), and `MaxPoolGrad` on XNNPACK for non-overlapping
 *   windows (the stock kernel is a scalar loop and breaks ties unlike tfjs' cpu kernel);
 * - `'cpu'`: a fast `Conv2DBackpropFilter` (replaces the ~10x slower stock loop).
 *
 * Idempotent: a second call reports every kernel under `alreadyRegistered`. Guarded: throws if
 * tfjs-core is outside `SUPPORTED_TFJS_CORE_RANGE`, a composed kernel is missing, or the runtime
 * self-check against naive loops fails (nothing is registered then).
 *
 * @param backendName `'wasm'` or `'cpu'`.
 * @param options `allowUntestedTfjsVersion` (default false).
 * @returns which kernels were added, replaced or already present.
 * @example
 * await tf.setBackend('wasm');
 * registerTrainingKernels('wasm'); // model.fit on conv nets now works on wasm
 */
export function registerTrainingKernels(
  backendName: string,
  options: RegisterTrainingKernelsOptions = {},
): TrainingKernelsReport {
  const fn = 'registerTrainingKernels';
  assertTrainingBackend(fn, backendName);
  const backend = readyBackend(fn, backendName);
  if (!options.allowUntestedTfjsVersion) checkTfjsCoreVersion();
  checkComposedKernels(backendName, COMPOSED_KERNELS[backendName]);

  const report: TrainingKernelsReport = {
    backend: backendName,
    added: [],
    replaced: [],
    alreadyRegistered: [],
    tfjsCoreVersion: tf.version_core,
  };
  const pending = new Map<string, tf.KernelFunc>();
  for (const [name, factory] of KERNEL_FACTORIES[backendName]) {
    const current = tf.getKernel(name, backendName);
    if (isKlevelKernel(current)) {
      report.alreadyRegistered.push(name);
      continue;
    }
    const kernelFunc = factory(backendName) as MarkedKernelFunc;
    kernelFunc[MARKER] = { original: current };
    pending.set(name, kernelFunc);
  }
  selfCheckKernels(backendName, backend, pending);
  for (const [name, kernelFunc] of pending) {
    const marked = kernelFunc as MarkedKernelFunc;
    if (marked[MARKER]?.original != null) {
      tf.unregisterKernel(name, backendName);
      report.replaced.push(name);
    } else {
      report.added.push(name);
    }
    tf.registerKernel({ kernelName: name, backendName, kernelFunc });
  }
  return report;
}

/**
 * True when every training kernel of `backendName` is the klevel version.
 * @example if (!isTrainingKernelsRegistered('wasm')) registerTrainingKernels('wasm');
 */
export function isTrainingKernelsRegistered(backendName: string): boolean {
  if (backendName !== 'wasm' && backendName !== 'cpu') return false;
  return KERNEL_FACTORIES[backendName].every(([name]) => isKlevelKernel(tf.getKernel(name, backendName)));
}

/**
 * Removes the klevel training kernels of `backendName` and restores the stock kernels they
 * replaced (useful for benchmarks and tests). Returns the names removed.
 */
export function unregisterTrainingKernels(backendName: string): string[] {
  assertTrainingBackend('unregisterTrainingKernels', backendName);
  const removed: string[] = [];
  for (const [name] of KERNEL_FACTORIES[backendName]) {
    const current = tf.getKernel(name, backendName);
    if (current == null || !isKlevelKernel(current)) continue;
    const original = (current.kernelFunc as MarkedKernelFunc)[MARKER]?.original;
    tf.unregisterKernel(name, backendName);
    if (original != null) tf.registerKernel(original);
    removed.push(name);
  }
  return removed;
}
