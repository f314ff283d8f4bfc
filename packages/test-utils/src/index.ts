export { describeBackends, onTestBackendReady, testBackends, useTestBackend } from './backend';
export type { TestBackend } from './backend';
export {
  expectArraysClose,
  expectNoLeaks,
  expectTensorsClose,
  maxRelativeDifference,
  seededNormal,
  seededRandom,
} from './assert';
