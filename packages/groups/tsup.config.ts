import { klevelTsupConfig } from '../../tools/tsup.config.base';

// node: the Node-only entry (file IO); extend: extension points.
export default klevelTsupConfig({ entry: ['src/index.ts', 'src/node.ts', 'src/extend.ts'] });
