// Node-only entry (@klevel/wasm-train/node): loads the installed backend packages and locates the wasm
// binaries. Everything else is in the browser-safe main entry.
export { locateWasmBinaries, useBestBackend } from './node-backends';
export type { NodeBestBackend, NodeUseBestBackendOptions } from './node-backends';
export { SUPPORTED_TFJS_BACKEND_WASM } from './wasm-threads';
