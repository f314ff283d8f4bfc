import { klevelTsupConfig } from '../../tools/tsup.config.base';

// math, extend: subpaths; register: the only module with a side effect (listed in package.json sideEffects),
// its own file so everything else tree-shakes.
export default klevelTsupConfig({
  entry: ['src/index.ts', 'src/math.ts', 'src/extend.ts', 'src/register.ts'],
});
