// Node-only entry (@klevel/latency/node): benchmarks of model files with machine details and backend
// packages loaded by name, and the terminal table. Everything else (in-memory benchmarks, statistics,
// Markdown/HTML reports) is in the browser-safe main entry.
export { benchmarkLatency } from './node/benchmark';
export { loadModelFromFile, modelNameFromPath, resolveModelJsonPath } from './node/model-files';
export { toTerminalTable } from './report/terminal';
