/**
 * The tfjs backends of the page: cpu, webgl and wasm are registered by importing their packages; webgpu is
 * loaded on demand, only when the browser exposes `navigator.gpu`. The wasm backend fetches its .wasm binary at
 * initialisation: Vite copies the three binaries into dist/assets (the `?url` imports below) and
 * `setWasmPaths` tells the backend their hashed URLs.
 */
import { registerTrainingKernels } from '@klevel/wasm-train';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import '@tensorflow/tfjs-backend-webgl';
import * as tf from '@tensorflow/tfjs-core';

setWasmPaths({
  'tfjs-backend-wasm.wasm': wasmPlain,
  'tfjs-backend-wasm-simd.wasm': wasmSimd,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimd,
});

/** The backends the app offers, in the order it lists them. */
export const BACKENDS = ['webgl', 'webgpu', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

/** Whether a backend initialises in this browser, and why not. */
export interface BackendStatus {
  name: BackendName;
  available: boolean;
  detail: string;
}

let webgpuLoaded: Promise<void> | undefined;

async function loadWebgpu(): Promise<void> {
  if (!('gpu' in navigator))
    throw new Error('this browser has no navigator.gpu (WebGPU is off or unsupported)');
  webgpuLoaded ??= import('@tensorflow/tfjs-backend-webgpu').then(() => undefined);
  await webgpuLoaded;
}

function detailOf(name: BackendName): string {
  if (name === 'wasm') {
    const simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT');
    const threads = tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT');
    return `XNNPACK, ${simd ? 'SIMD' : 'no SIMD'}, ${threads ? 'multi-threaded' : '1 thread'}`;
  }
  if (name === 'webgl') return `WebGL ${tf.env().getNumber('WEBGL_VERSION')}`;
  if (name === 'webgpu') return 'WebGPU';
  return 'plain JavaScript';
}

/**
 * Makes `name` the active backend. On wasm and cpu it also registers klevel's training kernels, without which
 * wasm cannot compute a conv layer's filter gradient (and cpu computes it ~10x slower).
 *
 * @throws Error naming the backend when it cannot initialise here.
 */
export async function useBackend(name: BackendName): Promise<string> {
  if (name === 'webgpu') await loadWebgpu();
  let ok = false;
  try {
    ok = await tf.setBackend(name);
    await tf.ready();
  } catch (e) {
    throw new Error(`backend '${name}' failed to initialise: ${(e as Error).message}`);
  }
  if (!ok || tf.getBackend() !== name)
    throw new Error(`backend '${name}' failed to initialise in this browser`);
  if (name === 'wasm' || name === 'cpu') registerTrainingKernels(name);
  return detailOf(name);
}

/** Tries every backend once (activating each in turn) and restores the first one that works. */
export async function probeBackends(): Promise<BackendStatus[]> {
  const out: BackendStatus[] = [];
  for (const name of BACKENDS) {
    try {
      out.push({ name, available: true, detail: await useBackend(name) });
    } catch (e) {
      out.push({ name, available: false, detail: (e as Error).message });
    }
  }
  return out;
}
