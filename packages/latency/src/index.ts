// Public API: list every export by name.
export { activateBackend, knownBackends, NODE_BACKENDS, validateBackends } from './backend';
export type { ActiveBackend } from './backend';
export { benchmarkLatency } from './benchmark';
export { defaultFlopCounter, modelCosts } from './costs';
export type { FlopCounter } from './costs';
export { inferInputShapes, makeInputs } from './inputs';
export { profileInference, startClock, timeInference } from './measure';
export type { Clock } from './measure';
export { toHtml } from './report/html';
export { toMarkdown } from './report/markdown';
export { latencyPerBatchChart, latencyVsMacsChart, speedupVsIdealChart } from './report/svg';
export { axisNumber, chartLayout, esc, PALETTE } from './report/svg-kit';
export type { ChartLayout, ChartScale, ChartSize, LegendItem } from './report/svg-kit';
export { isNoisy, quantileSorted, relativeSpread, summarize } from './stats';
export type { LatencyStats } from './stats';
export type {
  BenchmarkOptions,
  LatencyReport,
  LatencyResult,
  ModelInfo,
  ModelInput,
  ProgressEvent,
} from './types';
