/**
 * Instantiates one of the package's embedded WebAssembly modules (generated `*-wasm.ts` files: base64 of a
 * module assembled from a hand-written .wat source by tools/wasm/build-kernels.mjs). Synchronous: the
 * modules are a few KB, under every platform's limit for synchronous compilation on a main thread.
 */

/** The slice of the WebAssembly JS API used by the package (it compiles without the DOM lib). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

interface WebAssemblyApi {
  Memory: abstract new (...args: never[]) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}

/** The global WebAssembly API, or undefined where there is none. */
export const wasmApi: WebAssemblyApi | undefined = (globalThis as { WebAssembly?: WebAssemblyApi }).WebAssembly;

function decodeBase64(s: string): Uint8Array {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Compiled modules by source (each module is compiled once per process). */
const compiled = new Map<string, object>();

/**
 * The exports of a new instance of the embedded module `base64` with `imports`; throws where
 * WebAssembly is missing or the instantiation fails (the callers fall back to their JavaScript paths).
 */
export function instantiateEmbedded(base64: string, imports: object): Record<string, unknown> {
  if (wasmApi === undefined) throw new Error('WebAssembly is not available');
  let mod = compiled.get(base64);
  if (mod === undefined) {
    mod = new wasmApi.Module(decodeBase64(base64));
    compiled.set(base64, mod);
  }
  return new wasmApi.Instance(mod, imports).exports;
}
