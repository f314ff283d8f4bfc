/**
 * The demo's last stage: the pruned model, `summary.json`, `report.html` and the terminal table, built from
 * what the other stages measured.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, platform } from 'node:os';
import { join, resolve } from 'node:path';
import type { PruneResult } from '@klevel/pruner';
import { saveModel } from '@klevel/pruner/node';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { loadDemoData } from './data';
import type { DemoOptions } from './options';
import { renderReport } from './report';
import { buildSummary, type DemoSummary, goalLines, type LatencyCell, summaryTable } from './summary';
import { denseEpochs, type EpochRecord, type SparseRun } from './train';

/** What the stages hand to {@link writeOutputs}. */
export interface DemoOutputs {
  command: string;
  dense: { model: tfl.LayersModel; curve: EpochRecord[]; accuracy: number };
  sparse: SparseRun;
  pruned: PruneResult & { accuracyBeforeFineTune: number };
  tuned: { curve: EpochRecord[]; accuracy: number };
  latency: LatencyCell[];
}

interface OutputContext {
  o: DemoOptions;
  log: (line: string) => void;
  backend: { backend: string; reason: string };
  data: Awaited<ReturnType<typeof loadDemoData>>;
  timings: Record<string, number>;
}

function layerWidth(model: tfl.LayersModel, name: string): number | null {
  try {
    const cfg = model.getLayer(name).getConfig() as { filters?: number; units?: number };
    return cfg.filters ?? cfg.units ?? null;
  } catch {
    return null;
  }
}

function perLayer<T>(names: string[], f: (name: string) => T | null): Record<string, T> {
  const out: Record<string, T> = {};
  for (const n of names) {
    const v = f(n);
    if (v !== null) out[n] = v;
  }
  return out;
}

/** Saves the pruned model and writes summary.json and report.html; prints the table and goals. */
export async function writeOutputs(
  ctx: OutputContext,
  r: DemoOutputs,
  tStart: number,
): Promise<{ summary: DemoSummary; table: string }> {
  const { o, data, log } = ctx;
  const outDir = resolve(o.out);
  const modelDir = join(outDir, 'pruned');
  mkdirSync(outDir, { recursive: true });
  await saveModel(r.pruned.model, modelDir);
  ctx.timings.total = (performance.now() - tStart) / 1000;
  const fin = r.sparse.finalize.stats.layers;
  const names = Object.keys(fin);
  const summary = buildSummary({
    command: r.command,
    date: new Date(),
    environment: {
      node: process.version,
      platform: `${platform()}/${process.arch}`,
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      tfjs: tf.version_core,
    },
    backend: { name: ctx.backend.backend, reason: ctx.backend.reason },
    data: {
      source: data.source,
      dir: data.dir,
      train: data.train.count,
      val: data.val?.count ?? 0,
      test: data.test.count,
      pool: data.poolSize,
    },
    settings: {
      ...o,
      denseEpochs: denseEpochs(o),
      model: 'LeNet-5-Caffe (conv 20, conv 50, dense 500, 10)',
      groups: 'filters (conv filters + dense neurons)',
      optimizer: 'SGD momentum / HSPG (prox-SGD stage, then half-space stage) / SGD momentum fine-tune',
      schedule: 'cosine decay per batch (dense: all epochs; sparse: prox + HSPG; fine-tune: its own)',
    },
    accuracy: {
      dense: r.dense.accuracy,
      prunedBeforeFineTune: r.pruned.accuracyBeforeFineTune,
      pruned: r.tuned.accuracy,
      sparseBeforeFinalize: r.sparse.accuracyBeforeFinalize,
    },
    lambda: r.sparse.lambdas ? { mode: o.lambda === 'auto' ? 'auto' : 'fixed', ...r.sparse.lambdas } : null,
    layerTotals: perLayer(names, (n) => fin[n]?.groups ?? null),
    requested: r.sparse.requested,
    nonzeroBeforeFinalize: perLayer(names, (n) => r.sparse.beforeFinalize.layers[n]?.nonzero ?? null),
    ...(r.sparse.afterProx
      ? { nonzeroAfterPhase1: perLayer(names, (n) => r.sparse.afterProx?.layers[n]?.nonzero ?? null) }
      : {}),
    kept: perLayer(names, (n) => fin[n]?.nonzero ?? null),
    prunedWidths: perLayer(names, (n) => layerWidth(r.pruned.model, n)),
    costs: r.pruned.report.total,
    equivalence: r.pruned.report.equivalence
      ? {
          maxRelativeDifference: r.pruned.report.equivalence.maxRelativeDifference,
          tolerance: r.pruned.report.equivalence.tolerance,
          samples: r.pruned.report.equivalence.samples,
        }
      : null,
    latency: { clock: o.latencyClock, runs: o.latencyRuns, cells: r.latency },
    curves: { dense: r.dense.curve, sparse: [...r.sparse.curve, ...r.tuned.curve] },
    history: r.sparse.history,
    batchesPerEpoch: Math.ceil(data.train.count / o.batchSize),
    phase1Epochs: o.proxEpochs,
    epochs: { dense: denseEpochs(o), prox: o.proxEpochs, hspg: o.hspgEpochs, finetune: o.finetuneEpochs },
    timings: ctx.timings,
    outputs: {
      dir: outDir,
      report: join(outDir, 'report.html'),
      summary: join(outDir, 'summary.json'),
      model: join(modelDir, 'model.json'),
    },
  });
  writeFileSync(summary.outputs.summary, `${JSON.stringify(summary, null, 2)}\n`);
  writeFileSync(summary.outputs.report, renderReport(summary));
  const table = summaryTable(summary);
  log('');
  log(table);
  for (const line of goalLines(summary)) log(line);
  log('');
  log(`pruned model: ${summary.outputs.model} (+ weights.bin)`);
  log(`report:       ${summary.outputs.report}`);
  log(`summary:      ${summary.outputs.summary}`);
  log(
    `total time:   ${ctx.timings.total.toFixed(1)} s (${Object.entries(ctx.timings)
      .filter(([k]) => k !== 'total')
      .map(([k, v]) => `${k} ${v.toFixed(1)} s`)
      .join(', ')})`,
  );
  return { summary, table };
}
