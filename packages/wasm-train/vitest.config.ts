import { klevelVitestProject } from '../../tools/vitest.shared';

export default klevelVitestProject('wasm-train');
