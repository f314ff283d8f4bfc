import { klevelVitestProject } from '../../tools/vitest.shared';

export default klevelVitestProject('test-utils');
