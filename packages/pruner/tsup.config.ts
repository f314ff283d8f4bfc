import { klevelTsupConfig } from '../../tools/tsup.config.base';

export default klevelTsupConfig();
