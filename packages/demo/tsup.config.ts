import { klevelTsupConfig } from '../../tools/tsup.config.base';

export default klevelTsupConfig({
  entry: ['src/index.ts', 'src/cli.ts', 'src/paper/cli.ts'],
  // d3-scale/d3-shape are ESM-only: bundle them so the CJS build works on Node 20 (as @klevel/latency does).
  overrides: { noExternal: [/^d3-/, 'internmap'] },
});
