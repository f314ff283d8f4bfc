import { klevelTsupConfig } from '../../tools/tsup.config.base';

export default klevelTsupConfig({ entry: ['src/index.ts', 'src/browser.ts'] });
