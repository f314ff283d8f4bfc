import { klevelTsupConfig } from '../../tools/tsup.config.base';

// node: the Node-only entry (@klevel/wasm-train/node). shims: `import.meta.url` in its CJS build (used to
// locate the wasm binaries with createRequire).
export default klevelTsupConfig({ entry: ['src/index.ts', 'src/node.ts'], overrides: { shims: true } });
