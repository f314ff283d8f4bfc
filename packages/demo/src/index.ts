// Public API: list every export by name.

export type { BarChartOptions, LineChartOptions, LineSeries } from './charts';
export { barChart, esc, lineChart, PALETTE } from './charts';
export type { DemoData, LoadDemoDataOptions } from './data';
export { loadDemoData, splitPool } from './data';
export { accuracy } from './evaluate';
export type { DemoOptions } from './options';
export {
  defaultPhase1Epochs,
  demoProgram,
  FULL_OVERRIDES,
  parseDemoOptions,
  QUICK_DEFAULTS,
} from './options';
export type { DemoResult, RunDemoIo } from './pipeline';
export { runDemo } from './pipeline';
export type { ProgressOptions } from './progress';
export { logNumber, ProgressCallback } from './progress';
export { accuracyChart, curveCharts, latencyCharts, renderReport, sparsityChart } from './report';
export { cosineLearningRate, LearningRateScheduler } from './schedule';
export { withSeededMathRandom } from './seeded-random';
export type { DemoSummary, LatencyCell, LayerGroups, SparsityPoint, SummaryInputs } from './summary';
export {
  buildSummary,
  formatInt,
  formatPercent,
  formatRatio,
  goalLines,
  summaryTable,
  thin,
} from './summary';
export type { EpochRecord, RunResult, SparseRunResult, SplitTensors, TrainSettings } from './train';
export { disposeOptimizer, toSplitTensors, trainDense, trainSparse } from './train';
