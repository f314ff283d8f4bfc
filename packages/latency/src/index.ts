// Public API of @klevel/latency (browser-safe): benchmark in-memory models on the registered backends, and
// render the report. Measurement building blocks are in '@klevel/latency/extend'; model files, machine
// details and the terminal table in Node in '@klevel/latency/node'.
export { benchmarkLatency } from './benchmark';
export { toHtml } from './report/html';
export { toMarkdown } from './report/markdown';
export { latencyPerBatchChart, latencyVsMacsChart, speedupVsIdealChart } from './report/svg';
export { summarize } from './stats';
export type { LatencyStats } from './stats';
export type {
  BenchmarkOptions,
  LatencyReport,
  LatencyResult,
  ModelInfo,
  ModelInput,
  ProgressEvent,
} from './types';
