// Public API: list every export by name.
export { barChart, esc, lineChart, PALETTE } from './charts';
export type { BarChartOptions, LineChartOptions, LineSeries } from './charts';
export { loadDemoData, splitPool } from './data';
export type { DemoData, LoadDemoDataOptions } from './data';
export { accuracy } from './evaluate';
export {
  defaultPhase1Epochs,
  demoProgram,
  FULL_OVERRIDES,
  parseDemoOptions,
  QUICK_DEFAULTS,
} from './options';
export type { DemoOptions } from './options';
export { runDemo } from './pipeline';
export type { DemoResult, RunDemoIo } from './pipeline';
export { logNumber, ProgressCallback } from './progress';
export type { ProgressOptions } from './progress';
export { accuracyChart, curveCharts, latencyCharts, renderReport, sparsityChart } from './report';
export { cosineLearningRate, LearningRateScheduler } from './schedule';
export { withSeededMathRandom } from './seeded-random';
export {
  buildSummary,
  formatInt,
  formatPercent,
  formatRatio,
  goalLines,
  summaryTable,
  thin,
} from './summary';
export type { DemoSummary, LatencyCell, LayerGroups, SparsityPoint, SummaryInputs } from './summary';
export { disposeOptimizer, toSplitTensors, trainDense, trainSparse } from './train';
export type { EpochRecord, RunResult, SparseRunResult, SplitTensors, TrainSettings } from './train';
