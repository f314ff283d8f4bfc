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
export {
  elementGroupIds,
  handGradients,
  handNorms,
  handScale,
  maxRelDiff,
  readWeights,
  seedWeights,
  seededBatch,
  sgdStep,
} from './hand-prox';
export type { HandLayoutTerm, HandPartition } from './hand-prox';
export { convBnModel, denseModel, residualModel } from './tiny-models';
