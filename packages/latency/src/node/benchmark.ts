/**
 * `benchmarkLatency` for Node: the same measurement as the main entry's, with model.json paths loaded from the
 * file system, machine details from `os`, and the backend packages (tfjs-node, wasm with its binaries, cpu)
 * loaded by name through `useBestBackend` from `@klevel/wasm-train/node`.
 */
import { useBestBackend } from '@klevel/wasm-train/node';
import { activateBackend } from '../backend';
import { runBenchmark } from '../benchmark';
import type { LatencyPlatform } from '../platform';
import type { BenchmarkOptions, LatencyReport, ModelInput } from '../types';
import { nodeMachineInfo } from './machine';
import { loadModelFromFile, modelNameFromPath } from './model-files';

const nodePlatform: LatencyPlatform = {
  modelNameFromPath,
  loadModelFromFile,
  machineInfo: nodeMachineInfo,
  activateBackend: (name) => activateBackend(name, useBestBackend),
};

/**
 * Measures inference latency of `models` for every backend x batch size (see `benchmarkLatency` of the main
 * entry for the method and the report), in Node: `models` may also be model.json paths (or their
 * directories, or `{ name?, path }`), loaded and disposed afterwards; 'wasm', 'cpu' and 'tensorflow' work
 * without importing their packages first.
 *
 * @param models - the models; the first is the baseline.
 * @param options - see {@link BenchmarkOptions}.
 * @returns a JSON-serializable {@link LatencyReport}.
 * @example
 * import { benchmarkLatency } from '@klevel/latency/node';
 * const report = await benchmarkLatency(['out/dense', 'out/pruned'], { backends: ['wasm'], batchSizes: [1, 64] });
 */
export function benchmarkLatency(
  models: ModelInput[],
  options: BenchmarkOptions = {},
): Promise<LatencyReport> {
  return runBenchmark(models, options, nodePlatform);
}
