/**
 * `benchmarkLatency`: inference latency of several models, per backend and batch size, next to their MACs.
 *
 * Method, per (backend, batch size) cell: activate the backend; make one seeded random input batch per model;
 * warm every model up (`warmupRuns` untimed runs, which also builds XNNPACK operators and uploads weights);
 * profile one run's memory; then time runs **interleaved** (round r runs every model once, starting from model
 * r mod M: ABAB... then BABA...), so drift such as thermal throttling or a noisy neighbour hits all models
 * equally. Each run's clock stops after the outputs are read back. The first model is the baseline for
 * speedup = baseline median / median, MAC ratio = baseline MACs / MACs, efficiency = speedup / MAC ratio.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { validateBackends } from './backend';
import { type FlopCounter, defaultFlopCounter, modelCosts } from './costs';
import { inferInputShapes, makeInputs } from './inputs';
import { disposeLoadedModel } from './dispose-loaded';
import { hasCpuClock, profileInference, timeInference } from './measure';
import { browserPlatform, type LatencyPlatform } from './platform';
import { isNoisy, relativeSpread, summarize } from './stats';
import type { BenchmarkOptions, LatencyReport, LatencyResult, ModelInfo, ModelInput } from './types';

interface Entry {
  info: ModelInfo;
  model: tfl.LayersModel;
  owned: boolean;
}

function checkPositiveInt(name: string, value: unknown, min = 1): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new RangeError(
      `benchmarkLatency: options.${name} must be an integer >= ${min}, received ${String(value)}`,
    );
  }
  return value;
}

/** Validates and fills in defaults; throws before any model is loaded or run. */
function normalizeOptions(options: BenchmarkOptions) {
  const batchSizes = options.batchSizes ?? [1];
  if (!Array.isArray(batchSizes) || batchSizes.length === 0) {
    throw new RangeError(
      'benchmarkLatency: options.batchSizes must be a non-empty list of positive integers, e.g. [1, 64]; ' +
        `received [${String(batchSizes)}]`,
    );
  }
  batchSizes.forEach((b) => {
    checkPositiveInt('batchSizes[]', b);
  });
  const current = tf.engine().backendName as string | null;
  if (options.backends === undefined && !current) {
    throw new Error(
      "benchmarkLatency: no tfjs backend is active and options.backends is not set; pass e.g. backends: ['wasm']",
    );
  }
  const backends = options.backends ?? [current!];
  validateBackends(backends);
  const warmupRuns = checkPositiveInt('warmupRuns', options.warmupRuns ?? 5, 0);
  const timeBudgetMs = options.timeBudgetMs ?? null;
  if (timeBudgetMs !== null && !(typeof timeBudgetMs === 'number' && timeBudgetMs > 0)) {
    throw new RangeError(
      `benchmarkLatency: options.timeBudgetMs must be > 0, received ${String(timeBudgetMs)}`,
    );
  }
  const runs = timeBudgetMs === null ? checkPositiveInt('runs', options.runs ?? 50) : null;
  const minRuns = checkPositiveInt('minRuns', options.minRuns ?? 5);
  const noiseThreshold = options.noiseThreshold ?? 0.5;
  if (!(typeof noiseThreshold === 'number' && noiseThreshold > 0)) {
    throw new RangeError(
      `benchmarkLatency: options.noiseThreshold must be > 0, received ${String(noiseThreshold)}`,
    );
  }
  const clock = options.clock ?? 'wall';
  if (clock !== 'wall' && clock !== 'cpu') {
    throw new RangeError(
      `benchmarkLatency: options.clock must be 'wall' or 'cpu', received ${String(clock)}`,
    );
  }
  if (clock === 'cpu' && !hasCpuClock()) {
    throw new Error(
      "benchmarkLatency: options.clock 'cpu' needs Node's process.cpuUsage(), which this runtime (a browser?) " +
        "does not have; use clock: 'wall' (the default) here",
    );
  }
  return {
    batchSizes,
    backends,
    warmupRuns,
    runs,
    timeBudgetMs,
    minRuns,
    noiseThreshold,
    clock,
    seed: options.seed ?? 0,
  };
}

async function resolveModels(
  models: ModelInput[],
  options: BenchmarkOptions,
  counter: FlopCounter,
  platform: LatencyPlatform,
) {
  const entries: Entry[] = [];
  const names = new Set<string>();
  try {
    for (const [i, input] of models.entries()) {
      let model: tfl.LayersModel;
      let name: string;
      let path: string | null = null;
      let owned = false;
      if (typeof input === 'string' || (input && typeof input === 'object' && 'path' in input)) {
        path = typeof input === 'string' ? input : input.path;
        name = (typeof input === 'object' && input.name) || (await platform.modelNameFromPath(path));
        model = await platform.loadModelFromFile(path);
        owned = true;
      } else if (input && typeof input === 'object' && 'model' in input && input.model) {
        model = input.model;
        name = input.name;
      } else {
        throw new TypeError(
          `benchmarkLatency: models[${i}] must be a model.json path, { name, model } or { path }, received ${String(input)}`,
        );
      }
      let unique = name;
      for (let k = 2; names.has(unique); k++) unique = `${name}-${k}`;
      names.add(unique);
      let inputShapes: number[][];
      try {
        inputShapes = inferInputShapes(model, unique, options.inputShape);
      } catch (err) {
        if (owned) disposeLoadedModel(model);
        throw err;
      }
      entries.push({
        info: { name: unique, path, inputShapes, ...modelCosts(model, counter) },
        model,
        owned,
      });
    }
  } catch (err) {
    for (const e of entries) if (e.owned) disposeLoadedModel(e.model);
    throw err;
  }
  return entries;
}

/**
 * Measures inference latency of `models` for every backend x batch size, with statistics, throughput, MACs,
 * memory, speedup against the first model and efficiency against the MAC ratio.
 *
 * Browser-safe: backends are the ones the app registered (import '@tensorflow/tfjs-backend-wasm' etc.), and
 * models are in memory. In Node, `benchmarkLatency` from `@klevel/latency/node` also takes model.json paths,
 * loads the backend packages by name and records the CPU model and load average.
 *
 * @param models - the models; the first is the baseline. In-memory models are left to the caller; paths
 *   (Node entry only) are loaded and disposed afterwards.
 * @param options - see {@link BenchmarkOptions}: `batchSizes` [1], `backends` [active], `warmupRuns` 5, `runs`
 *   50 or `timeBudgetMs`, `inputShape` (inferred), `noiseThreshold` 0.5, `seed` 0, `onProgress`.
 * @returns a JSON-serializable {@link LatencyReport}.
 * @throws RangeError/TypeError/Error for empty model or batch lists, unknown backends, unreadable paths and
 *   input shapes that cannot be inferred or do not match, before anything is timed.
 * @example
 * const report = await benchmarkLatency(
 *   [{ name: 'dense', model: dense }, { name: 'pruned', model: pruned }],
 *   { backends: ['wasm'], batchSizes: [1, 64], runs: 30 },
 * );
 * for (const r of report.results) console.log(r.model, r.batchSize, r.median, r.speedup, r.efficiency);
 */
export function benchmarkLatency(models: ModelInput[], options: BenchmarkOptions = {}): Promise<LatencyReport> {
  return runBenchmark(models, options, browserPlatform);
}

/**
 * {@link benchmarkLatency} on the given platform (the Node entry passes file loading and `os` details).
 * @internal
 */
export async function runBenchmark(
  models: ModelInput[],
  options: BenchmarkOptions,
  platform: LatencyPlatform,
): Promise<LatencyReport> {
  if (!Array.isArray(models) || models.length === 0) {
    throw new TypeError('benchmarkLatency: models must be a non-empty list (the first one is the baseline)');
  }
  const settings = normalizeOptions(options);
  const counter = options.countFlops ?? defaultFlopCounter();
  const machine = await platform.machineInfo();
  const loadAtStart = machine.load1();
  const previousBackend = tf.engine().backendName as string | null;
  // Models load on the first backend; their weights move to each later backend when it first reads them.
  let active = await platform.activateBackend(settings.backends[0]!);
  const entries = await resolveModels(models, options, counter, platform);
  const results: LatencyResult[] = [];
  try {
    for (const backendName of settings.backends) {
      if (tf.getBackend() !== backendName) active = await platform.activateBackend(backendName);
      for (const batchSize of settings.batchSizes) {
        results.push(
          ...(await measureCell(entries, active.backend, active.reason, batchSize, settings, options)),
        );
      }
    }
  } finally {
    for (const e of entries) if (e.owned) disposeLoadedModel(e.model);
    if (previousBackend && tf.getBackend() !== previousBackend) await tf.setBackend(previousBackend);
  }
  return {
    date: new Date().toISOString(),
    environment: {
      node: machine.node,
      platform: machine.platform,
      arch: machine.arch,
      cpus: machine.cpus,
      cpuModel: machine.cpuModel,
      tfjs: tf.version_core,
      loadAverage: { start: loadAtStart, end: machine.load1() },
    },
    settings: {
      batchSizes: settings.batchSizes.slice(),
      backends: settings.backends.slice(),
      warmupRuns: settings.warmupRuns,
      runs: settings.runs,
      timeBudgetMs: settings.timeBudgetMs,
      noiseThreshold: settings.noiseThreshold,
      clock: settings.clock,
      interleaved: true,
    },
    models: entries.map((e) => e.info),
    results,
  };
}

async function measureCell(
  entries: Entry[],
  backend: string,
  backendReason: string,
  batchSize: number,
  settings: ReturnType<typeof normalizeOptions>,
  options: BenchmarkOptions,
): Promise<LatencyResult[]> {
  const m = entries.length;
  const inputs = entries.map((e) => makeInputs(e.info.inputShapes, batchSize, settings.seed));
  try {
    const progress = (phase: 'warmup' | 'timed', done: number, total: number) =>
      options.onProgress?.({ phase, backend, batchSize, done, total });
    const warmTotal = settings.warmupRuns * m;
    for (let w = 0; w < settings.warmupRuns; w++) {
      for (let i = 0; i < m; i++) {
        await timeInference(entries[i]!.model, inputs[i]!, settings.clock);
        progress('warmup', w * m + i + 1, warmTotal);
      }
    }
    const memory: Array<Awaited<ReturnType<typeof profileInference>>> = [];
    for (let i = 0; i < m; i++) memory.push(await profileInference(entries[i]!.model, inputs[i]!));

    const times: number[][] = entries.map(() => []);
    let elapsed = 0;
    for (let round = 0; ; round++) {
      if (settings.runs !== null && round >= settings.runs) break;
      if (settings.timeBudgetMs !== null && round >= settings.minRuns && elapsed >= settings.timeBudgetMs)
        break;
      for (let k = 0; k < m; k++) {
        const i = (round + k) % m;
        const t = await timeInference(entries[i]!.model, inputs[i]!, settings.clock);
        times[i]!.push(t);
        elapsed += t;
        const done = round * m + k + 1;
        const total =
          settings.runs !== null
            ? settings.runs * m
            : Math.max(
                settings.minRuns * m,
                done,
                Math.ceil((done * settings.timeBudgetMs!) / Math.max(elapsed, 1e-9)),
              );
        progress('timed', done, total);
      }
    }

    const cell = entries.map((e, i): LatencyResult => {
      const stats = summarize(times[i]!);
      const spread = relativeSpread(stats);
      return {
        model: e.info.name,
        backend,
        batchSize,
        backendReason,
        ...stats,
        timesMs: times[i]!,
        throughput: (batchSize * 1000) / stats.median,
        params: e.info.params,
        macs: e.info.macs,
        macsPerBatch: e.info.macs === null ? null : e.info.macs * batchSize,
        memory: memory[i]!,
        speedup: 1,
        pairedSpeedup: 1,
        macRatio: null,
        efficiency: null,
        spread,
        noisy: isNoisy(stats, settings.noiseThreshold),
      };
    });
    const base = cell[0]!;
    for (const r of cell) {
      r.speedup = base.median / r.median;
      r.pairedSpeedup = summarize(r.timesMs.map((t, k) => base.timesMs[k]! / t)).median;
      r.macRatio = base.macs !== null && r.macs !== null && r.macs > 0 ? base.macs / r.macs : null;
      r.efficiency = r.macRatio === null ? null : r.speedup / r.macRatio;
    }
    return cell;
  } finally {
    for (const xs of inputs) tf.dispose(xs);
  }
}
