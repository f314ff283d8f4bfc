import { klevelTsupConfig } from '../../tools/tsup.config.base';

// shims: `import.meta.url` in the CJS build (used to locate the wasm binaries with createRequire).
export default klevelTsupConfig({ overrides: { shims: true } });
