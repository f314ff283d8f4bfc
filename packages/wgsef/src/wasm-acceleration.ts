/**
 * The switch for klevel's WebAssembly fast paths. Both are on by default and both give the same numbers
 * as the portable paths they replace (tests compare them):
 * - `hostProx`: the full passes of the host prox (weightedSefProx and everything built on it) run in a
 *   small WebAssembly module for m >= 256 groups (identical bits to the JavaScript passes);
 * - `tensorKernels`: on the tfjs wasm backend, the group norms and the rescale of the tensor prox, the
 *   regularizers and HSPG run as fused SIMD kernels on the backend's heap (norms accumulated in float64
 *   instead of float32; the rescale writes the same float32 products as tf.mul).
 * Turn one off to measure the difference, or if a tfjs upgrade breaks the internals the tensor kernels
 * use (they check them and step aside when they are missing, but the switch is there regardless).
 */
import { setFusedWasmKernels } from './tensor/wasm/group-kernels';
import { setWasmSefPasses } from './weighted-sef-prox';

/** Which WebAssembly fast paths are on. */
export interface WasmAcceleration {
  /** Host prox passes in WebAssembly (default true). */
  hostProx: boolean;
  /** Fused group-norm and rescale kernels on the tfjs wasm backend (default true). */
  tensorKernels: boolean;
}

const state: WasmAcceleration = { hostProx: true, tensorKernels: true };

/**
 * Turns klevel's WebAssembly fast paths on or off; returns the previous settings (to restore them).
 * @example
 * const before = setWasmAcceleration({ tensorKernels: false }); // portable tfjs ops only
 * // ... measure ...
 * setWasmAcceleration(before);
 */
export function setWasmAcceleration(options: Partial<WasmAcceleration>): WasmAcceleration {
  const fn = 'setWasmAcceleration';
  if (options === null || typeof options !== 'object') {
    throw new TypeError(
      `${fn}: expected an object like { hostProx: false } or { tensorKernels: false }; received ${String(options)}.`,
    );
  }
  for (const key of Object.keys(options)) {
    const value = (options as Record<string, unknown>)[key];
    if (key !== 'hostProx' && key !== 'tensorKernels') {
      throw new TypeError(`${fn}: unknown option '${key}'. Fix: use 'hostProx' and/or 'tensorKernels'.`);
    }
    if (typeof value !== 'boolean' && value !== undefined) {
      throw new TypeError(`${fn}: '${key}' must be true or false; received ${String(value)}.`);
    }
  }
  const before = { ...state };
  if (options.hostProx !== undefined) state.hostProx = options.hostProx;
  if (options.tensorKernels !== undefined) state.tensorKernels = options.tensorKernels;
  setWasmSefPasses(state.hostProx);
  setFusedWasmKernels(state.tensorKernels);
  return before;
}

/** The current settings. */
export function getWasmAcceleration(): WasmAcceleration {
  return { ...state };
}
