// Public API: list every export by name.

export type { BarChartOptions, LineChartOptions, LineSeries } from './charts';
export { barChart, esc, lineChart, PALETTE } from './charts';
export type { DemoData, LoadDemoDataOptions } from './data';
export { loadDemoData, splitPool } from './data';
export { accuracy } from './evaluate';
export { formatDuration, formatInt, formatPercent, formatPoints, formatRatio } from './format';
export { measureLatency } from './latency';
export type { DemoOptions } from './options';
export { demoProgram, FULL_OVERRIDES, parseDemoOptions, QUICK_DEFAULTS } from './options';
export type { DemoOutputs } from './outputs';
export { writeOutputs } from './outputs';
export type { DemoResult, RunDemoIo } from './pipeline';
export { runDemo } from './pipeline';
export type { ProgressOptions } from './progress';
export { logNumber, ProgressCallback } from './progress';
export { accuracyChart, curveCharts, latencyCharts, renderReport, sparsityChart } from './report';
export { withSeededMathRandom } from './seeded-random';
export type { DemoSummary, LatencyCell, LayerGroups, SparsityPoint, SummaryInputs } from './summary';
export { buildSummary, goalLines, summaryTable, thin } from './summary';
export type { EpochRecord, SparseRun, SplitTensors, TrainContext } from './train';
export {
  demoRegularizer,
  denseEpochs,
  disposeOptimizer,
  fineTune,
  toSplitTensors,
  trainDense,
  trainSparse,
} from './train';
