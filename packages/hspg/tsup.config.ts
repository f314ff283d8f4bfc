import { klevelTsupConfig } from '../../tools/tsup.config.base';

// register: the only module with a side effect (listed in package.json sideEffects), its own file so the
// main entry tree-shakes.
export default klevelTsupConfig({ entry: ['src/index.ts', 'src/register.ts'] });
