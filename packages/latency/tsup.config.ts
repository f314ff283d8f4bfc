import { klevelTsupConfig } from '../../tools/tsup.config.base';

export default klevelTsupConfig({
  // node: the Node-only entry (model files, terminal table); extend: measurement building blocks; cli: the klevel-latency executable.
  entry: ['src/index.ts', 'src/node.ts', 'src/extend.ts', 'src/cli.ts'],
  // d3-scale/d3-shape are ESM-only: bundle them so the CJS build and Node 20 without require(esm) work.
  overrides: { noExternal: [/^d3-/, 'internmap'] },
});
