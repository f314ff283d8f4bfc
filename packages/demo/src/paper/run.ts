/**
 * Runs the whole paper experiment (data, every seed, latency) and returns the results object that the CLI
 * writes as JSON and Markdown.
 */
import os from 'node:os';
import { benchmarkLatency } from '@klevel/latency/node';
import { prune } from '@klevel/pruner';
import { useBestBackend } from '@klevel/wasm-train/node';
import { groupLasso } from '@klevel/wgsef';
import { loadFashionMnist } from '@klevel/zoo';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { runSeed, unitsPerSeed } from './experiment';
import type { PaperOptions } from './options';
import type { LatencyRecord, MachineInfo, PaperResults } from './render';
import { type RunRecord, summarize } from './stats';
import { buildModel, modelSize, type TensorData } from './train';

/** Options of {@link runPaperExperiment} besides the experiment's own. */
export interface RunHooks {
  /** Progress lines (default: none). */
  log?: (line: string) => void;
  /** The command line recorded in the report. */
  command?: string;
  /** Notes rendered at the top of the report. */
  notes?: string[];
}

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = Math.floor(seconds % 60);
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m${String(s).padStart(2, '0')}s`;
}

async function loadSplit(o: PaperOptions, split: 'train' | 'test'): Promise<TensorData & { source: string }> {
  const limit = split === 'train' ? o.trainLimit : o.testLimit;
  const data = await loadFashionMnist({
    split,
    ...(limit === undefined ? {} : { limit }),
    ...(o.dataDir === undefined ? {} : { dir: o.dataDir }),
  });
  const { xs, ys } = data.toTensors();
  return { xs, ys, count: data.count, source: data.source };
}

/**
 * The pruned architecture of level `s`: a freshly initialised model whose per-layer top-k groups are kept
 * (the same k as every method's exact-k step) and the rest removed. Latency does not depend on the weight
 * values, and every method ends with this architecture at level `s`.
 */
export async function prunedArchitecture(o: PaperOptions, s: number): Promise<tfl.LayersModel> {
  const model = buildModel(o.model, o.seeds[0] ?? 1);
  try {
    const reg = groupLasso({ groups: 'filters', keep: { fraction: 1 - s }, lambda: 0, scope: 'layer' });
    reg.attach(model);
    reg.finalize();
    return (await prune(model)).model;
  } finally {
    model.dispose();
  }
}

/** Dense vs pruned latency on wasm at `o.latencyBatch`, per sparsity level, with wall and CPU clocks. */
export async function measureLatency(o: PaperOptions, log: (line: string) => void): Promise<LatencyRecord[]> {
  const out: LatencyRecord[] = [];
  await useBestBackend({ backend: 'wasm' });
  const dense = buildModel(o.model, o.seeds[0] ?? 1);
  try {
    for (const s of o.sparsities) {
      const model = await prunedArchitecture(o, s);
      try {
        for (const clock of ['wall', 'cpu'] as const) {
          log(
            `latency: dense vs pruned ${(100 * s).toFixed(0)}% on wasm, batch ${o.latencyBatch}, ${clock} clock`,
          );
          const report = await benchmarkLatency(
            [
              { name: 'dense', model: dense },
              { name: `pruned-${s}`, model },
            ],
            { backends: ['wasm'], batchSizes: [o.latencyBatch], runs: o.latencyRuns, warmupRuns: 5, clock },
          );
          const d = report.results.find((r) => r.model === 'dense');
          const p = report.results.find((r) => r.model !== 'dense');
          if (!d || !p) throw new Error('bench:paper: benchmarkLatency returned no result for a model.');
          const macRatio = p.macRatio ?? Number.NaN;
          out.push({
            sparsity: s,
            batchSize: o.latencyBatch,
            backend: p.backend,
            clock,
            denseMedianMs: d.median,
            prunedMedianMs: p.median,
            speedup: p.speedup,
            pairedSpeedup: p.pairedSpeedup,
            macRatio,
            efficiency: p.speedup / macRatio,
            noisy: d.noisy || p.noisy,
            runs: p.n,
          });
          log(
            `  speedup ${p.speedup.toFixed(2)}x (paired ${p.pairedSpeedup.toFixed(2)}x), MAC reduction ${macRatio.toFixed(2)}x`,
          );
        }
      } finally {
        model.dispose();
      }
    }
  } finally {
    dense.dispose();
  }
  return out;
}

/**
 * The experiment: loads Fashion-MNIST, runs every method for every seed, measures latency, aggregates.
 * Activates the wasm backend (with the klevel training kernels). Disposes everything it creates.
 */
export async function runPaperExperiment(o: PaperOptions, hooks: RunHooks = {}): Promise<PaperResults> {
  const log = hooks.log ?? (() => {});
  const startedAt = new Date();
  const loadStart = os.loadavg()[0] ?? 0;
  const backend = await useBestBackend({ backend: 'wasm' });
  log(`backend: ${backend.backend} (${backend.reason})`);
  const train = await loadSplit(o, 'train');
  const test = await loadSplit(o, 'test');
  log(`data: Fashion-MNIST ${train.source}, ${train.count} train / ${test.count} test images`);
  const runs: RunRecord[] = [];
  const totalUnits = unitsPerSeed(o) * o.seeds.length;
  const t0 = performance.now();
  try {
    for (const [i, seed] of o.seeds.entries()) {
      const before = i * unitsPerSeed(o);
      const records = await runSeed(o, seed, train, test, ({ message, unitsDone }) => {
        const done = Math.min(totalUnits, before + unitsDone);
        const elapsed = (performance.now() - t0) / 1000;
        const eta = done > 0 ? (elapsed / done) * (totalUnits - done) : Number.NaN;
        log(
          `[${((100 * done) / totalUnits).toFixed(0).padStart(3)}% ${formatDuration(elapsed)} ETA ${formatDuration(eta)}] ${message}`,
        );
      });
      runs.push(...records);
    }
    const latency = o.latencyRuns > 0 ? await measureLatency(o, log) : [];
    const denseModel = buildModel(o.model, 1);
    const dense = modelSize(denseModel);
    denseModel.dispose();
    const finishedAt = new Date();
    return {
      command: hooks.command ?? 'npm run bench:paper',
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      wallSeconds: (finishedAt.getTime() - startedAt.getTime()) / 1000,
      machine: machineInfo(backend.backend, { start: loadStart, end: os.loadavg()[0] ?? 0 }),
      options: o,
      data: { source: train.source, train: train.count, test: test.count },
      dense,
      runs,
      summary: summarize(runs),
      latency,
      notes: hooks.notes ?? [],
    };
  } finally {
    tf.dispose([train.xs, train.ys, test.xs, test.ys]);
  }
}

/** CPU, cores, memory, Node and tfjs of this machine. */
export function machineInfo(backend: string, loadAverage: { start: number; end: number }): MachineInfo {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: os.totalmem() / 2 ** 30,
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    tfjsBackend: backend,
    tfjsVersion: tf.version_core,
    loadAverage,
  };
}
