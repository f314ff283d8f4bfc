/**
 * The resumable loop of the full-scale experiment: load the data once (validation split carved from the
 * training split), then repeatedly plan the remaining jobs from the results file, run the first one and
 * append its record, until nothing is left. Progress with an ETA from measured epoch costs.
 */
import os from 'node:os';
import { benchmarkLatency } from '@klevel/latency/node';
import { prune } from '@klevel/pruner';
import { useBestBackend } from '@klevel/wasm-train/node';
import { groupLasso } from '@klevel/wgsef';
import { loadFashionMnist, selectSamples, shuffledIndices } from '@klevel/zoo';
import * as tf from '@tensorflow/tfjs-core';
import { MultiBar, Presets } from 'cli-progress';
import { formatDuration } from '../format';
import { buildModel, type CellContext, runCell } from './cell';
import { type DoneRun, type GridSpec, type Job, jobKey, planJobs } from './grid';
import { LAMBDA_GRID, PROTOCOLS, type Protocol, VALIDATION_IMAGES, VALIDATION_SEED } from './protocol';
import { appendRecord, type PaperRecord, type RecordContext, type RunRecord, readRecords } from './records';
import { modelSize, type TensorData } from './train';

/** Options of {@link runGrid}. */
export interface HarnessOptions {
  spec: Omit<GridSpec, 'available' | 'lambdaGrid'>;
  /** The JSONL results file (the resume state). */
  results: string;
  cacheDir: string;
  dataDir: string | undefined;
  /** Training images after the validation split (undefined = all 55,000): for smoke runs only. */
  trainLimit: number | undefined;
  testLimit: number | undefined;
  /** Overrides of the protocol (smoke runs). */
  protocol: Partial<Protocol>;
  latencyRuns: number;
  latencyBatch: number;
  command: string;
  /** Stop after this many jobs (undefined = all). */
  maxJobs: number | undefined;
  /** Called after every record (e.g. to re-render the report). */
  onRecord?: (records: PaperRecord[]) => void;
  log: (line: string) => void;
  /** Draw progress bars (a TTY). */
  bars: boolean;
}

/** Relative cost of a job in main-model epochs (for the ETA). */
function jobUnits(job: Job, p: Protocol): number {
  if (job.kind === 'latency') return 0.2;
  const ft = 0.3 * p.finetuneEpochs;
  if (job.method === 'dense') return p.mainEpochs + p.finetuneEpochs;
  if (job.method === 'magnitude' || job.method === 'magnitude-scales') return ft;
  if (job.method === 'scratch') return 0.3 * (p.mainEpochs + p.finetuneEpochs);
  return p.mainEpochs + ft;
}

async function loadSplits(
  o: HarnessOptions,
): Promise<{ train: TensorData; val: TensorData; test: TensorData }> {
  const dir = o.dataDir === undefined ? {} : { dir: o.dataDir };
  const pool = await loadFashionMnist({ split: 'train', ...dir });
  const test = await loadFashionMnist({
    split: 'test',
    ...dir,
    ...(o.testLimit === undefined ? {} : { limit: o.testLimit }),
  });
  const order = shuffledIndices(pool.count, VALIDATION_SEED);
  const nVal = Math.min(VALIDATION_IMAGES, Math.floor(pool.count / 10));
  const rest = pool.count - nVal;
  const nTrain = o.trainLimit === undefined ? rest : Math.min(o.trainLimit, rest);
  const tensors = (d: ReturnType<typeof selectSamples>): TensorData => {
    const { xs, ys } = d.toTensors({ onehot: true });
    return { xs, ys, count: d.count };
  };
  return {
    val: tensors(selectSamples(pool, order.subarray(0, nVal))),
    train: tensors(selectSamples(pool, order.subarray(nVal, nVal + nTrain))),
    test: tensors(test),
  };
}

function doneRuns(records: PaperRecord[]): DoneRun[] {
  return records
    .filter((r): r is RunRecord => r.kind === 'run')
    .map((r) => ({ ...r, valAccuracy: r.result.valAccuracy }));
}

async function measureLatency(
  job: Extract<Job, { kind: 'latency' }>,
  o: HarnessOptions,
): Promise<Omit<PaperRecord & { kind: 'latency' }, 'context' | 'key'>> {
  const dense = buildModel(job.model, 1);
  const sparse = buildModel(job.model, 1);
  try {
    const reg = groupLasso({
      groups: 'filters',
      keep: { fraction: 1 - job.sparsity },
      lambda: 0,
      scope: 'layer',
    });
    reg.attach(sparse);
    reg.finalize();
    const pruned = (await prune(sparse)).model;
    try {
      const report = await benchmarkLatency(
        [
          { name: 'dense', model: dense },
          { name: 'pruned', model: pruned },
        ],
        {
          backends: ['wasm'],
          batchSizes: [o.latencyBatch],
          runs: o.latencyRuns,
          warmupRuns: 5,
          clock: 'cpu',
        },
      );
      const d = report.results.find((r) => r.model === 'dense');
      const p = report.results.find((r) => r.model === 'pruned');
      if (!d || !p) throw new Error('bench:paper: benchmarkLatency returned no result for a model.');
      return {
        kind: 'latency',
        model: job.model,
        sparsity: job.sparsity,
        batchSize: o.latencyBatch,
        clock: 'cpu',
        runs: p.n,
        denseMs: d.median,
        prunedMs: p.median,
        speedup: p.speedup,
        pairedSpeedup: p.pairedSpeedup,
        macRatio: p.macRatio ?? modelSize(dense).macs / modelSize(pruned).macs,
        noisy: d.noisy || p.noisy,
      };
    } finally {
      pruned.dispose();
    }
  } finally {
    dense.dispose();
    sparse.dispose();
  }
}

/** Runs every job of the grid that the results file does not hold yet. Returns the number run. */
export async function runGrid(o: HarnessOptions): Promise<number> {
  const backend = await useBestBackend({ backend: 'wasm' });
  o.log(`backend: ${backend.backend} (${backend.reason})`);
  const splits = await loadSplits(o);
  o.log(
    `data: Fashion-MNIST, ${splits.train.count} training / ${splits.val.count} validation (carved from the training split) / ${splits.test.count} test images`,
  );
  const spec: GridSpec = {
    ...o.spec,
    lambdaGrid: LAMBDA_GRID,
    available: () => true,
  };
  const cpus = os.cpus();
  const machine = {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    node: process.version,
    tfjs: tf.version_core,
    backend: backend.backend,
  };
  const bars = o.bars
    ? new MultiBar({ clearOnComplete: false, hideCursor: true }, Presets.shades_classic)
    : undefined;
  const overall = bars?.create(
    1,
    0,
    {},
    { format: ' grid [{bar}] {value}/{total} jobs | ETA {eta_formatted}' },
  );
  let ran = 0;
  let secondsPerUnit = Number.NaN;
  const t0 = performance.now();
  let unitsDone = 0;
  try {
    for (;;) {
      const records = readRecords(o.results);
      const done = new Set(records.map((r) => r.key));
      const todo = planJobs(spec, doneRuns(records)).filter((j) => !done.has(jobKey(j)));
      const job = todo[0];
      if (!job || (o.maxJobs !== undefined && ran >= o.maxJobs)) break;
      const protocol: Protocol = { ...PROTOCOLS[job.model], ...o.protocol };
      const remaining = todo.reduce((s, j) => s + jobUnits(j, protocol), 0);
      const eta = remaining * secondsPerUnit;
      overall?.setTotal(done.size + todo.length);
      overall?.update(done.size);
      o.log(
        `[${done.size}/${done.size + todo.length} jobs, ${formatDuration((performance.now() - t0) / 1000)} elapsed, ETA ${formatDuration(eta)}] ${jobKey(job)}`,
      );
      const startedAt = new Date();
      const load0 = os.loadavg()[0] ?? 0;
      const tJob = performance.now();
      const context = (): RecordContext => ({
        command: o.command,
        machine,
        startedAt: startedAt.toISOString(),
        finishedAt: new Date().toISOString(),
        wallSeconds: (performance.now() - tJob) / 1000,
        loadAverage: [load0, os.loadavg()[0] ?? 0],
        data: { train: splits.train.count, val: splits.val.count, test: splits.test.count },
        protocol,
      });
      let record: PaperRecord;
      if (job.kind === 'latency') {
        record = { ...(await measureLatency(job, o)), key: jobKey(job), context: context() };
      } else {
        const ctx: CellContext = { protocol, ...splits, cacheDir: o.cacheDir, log: o.log };
        const result = await runCell(job, ctx);
        record = { ...job, key: jobKey(job), result, context: context() };
        o.log(
          `  done: val ${(100 * result.valAccuracy).toFixed(2)}% test ${(100 * result.testAccuracy).toFixed(2)}% exact k ${result.exactK} (${formatDuration(result.trainSeconds)})`,
        );
      }
      appendRecord(o.results, record);
      ran++;
      unitsDone += jobUnits(job, protocol);
      secondsPerUnit = (performance.now() - t0) / 1000 / unitsDone;
      o.onRecord?.(readRecords(o.results));
    }
  } finally {
    bars?.stop();
    tf.dispose([
      splits.train.xs,
      splits.train.ys,
      splits.val.xs,
      splits.val.ys,
      splits.test.xs,
      splits.test.ys,
    ]);
  }
  return ran;
}
