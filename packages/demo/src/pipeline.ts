/**
 * The demo pipeline: backend, data, dense baseline, WGSEF + HSPG sparse run, exact-k finalize, prune (with
 * the output check), accuracy, latency, and the outputs (pruned model, summary.json, report.html).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, platform } from 'node:os';
import { join, resolve } from 'node:path';
import { benchmarkLatency } from '@klevel/latency/node';
import { prune } from '@klevel/pruner';
import { saveModel } from '@klevel/pruner/node';
import { useBestBackend } from '@klevel/wasm-train/node';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { loadDemoData } from './data';
import { accuracy } from './evaluate';
import type { DemoOptions } from './options';
import { renderReport } from './report';
import { buildSummary, type DemoSummary, goalLines, type LatencyCell, summaryTable } from './summary';
import { type SplitTensors, type TrainSettings, toSplitTensors, trainDense, trainSparse } from './train';

/** Where the demo writes and how it talks. */
export interface RunDemoIo {
  /** Prints one line (default: stdout). */
  log?: (line: string) => void;
  /** The command line shown in the report. */
  command?: string;
}

/** What {@link runDemo} returns. */
export interface DemoResult {
  summary: DemoSummary;
  table: string;
}

function seconds(t0: number): number {
  return (performance.now() - t0) / 1000;
}

function layerWidth(model: tfl.LayersModel, name: string): number | null {
  try {
    const cfg = model.getLayer(name).getConfig() as { filters?: number; units?: number };
    return cfg.filters ?? cfg.units ?? null;
  } catch {
    return null;
  }
}

/** Runs the whole demo with `o` (see the module comment). */
export async function runDemo(o: DemoOptions, io: RunDemoIo = {}): Promise<DemoResult> {
  const log = io.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const tStart = performance.now();
  const timings: Record<string, number> = {};

  // 1. backend
  let t = performance.now();
  const backend = await useBestBackend(o.backend === 'auto' ? {} : { backend: o.backend });
  log(`backend: ${backend.backend} (${backend.reason})`);

  // 2. data
  const data = await loadDemoData(o);
  log(
    `data: Fashion-MNIST ${data.source === 'full' ? 'full dataset' : 'EMBEDDED SUBSET (full dataset not found)'} from ${data.dir}: ` +
      `${data.train.count} training images (of ${data.poolSize}), ${data.val?.count ?? 0} held-out validation, ${data.test.count} test`,
  );
  const train = toSplitTensors(data.train);
  const val: SplitTensors | undefined = data.val ? toSplitTensors(data.val) : undefined;
  const test = data.test.toTensors({ onehot: true });
  timings.setup = seconds(t);
  const settings: TrainSettings = {
    epochs: o.epochs,
    phase1Epochs: o.phase1Epochs,
    batchSize: o.batchSize,
    learningRate: o.learningRate,
    minLearningRate: o.minLearningRate,
    momentum: o.momentum,
    seed: o.seed,
    keep: o.keep,
    lambda: o.lambda,
    lambdaHspg: o.lambdaHspg,
    epsilon: o.epsilon,
    groupWeights: o.groupWeights,
    exactKBeforeHspg: o.exactKBeforeHspg,
    progress: o.progress,
    log,
  };
  const toDispose: tfl.LayersModel[] = [];
  try {
    // 3. dense baseline (same model, seed, data, epochs, optimizer and schedule; no regularizer)
    log(
      `dense baseline: LeNet-5-Caffe, SGD momentum ${o.momentum}, cosine lr ${o.learningRate} -> ${o.minLearningRate}, ${o.epochs} epochs`,
    );
    t = performance.now();
    const dense = await trainDense(train, val, settings);
    toDispose.push(dense.model);
    timings.trainDense = seconds(t);
    t = performance.now();
    const denseAcc = await accuracy(dense.model, test.xs, data.test.labels);
    timings.evaluate = seconds(t);
    log(`dense baseline: test accuracy ${(denseAcc * 100).toFixed(2)}% (${dense.seconds.toFixed(1)} s)`);

    // 4. sparse run: WGSEF prox-SGD, HSPG, finalize
    log(
      `sparse run: WGSEF (keep ${o.keep * 100}% of filters/neurons per layer, lambda ${o.lambda}) prox-SGD for ${o.phase1Epochs} epoch(s), ` +
        `then HSPG (epsilon ${o.epsilon}, lambda ${o.lambdaHspg ?? o.lambda / 20}) for ${o.epochs - o.phase1Epochs}`,
    );
    t = performance.now();
    let sparseBeforeAcc: number | null = null;
    const sparse = await trainSparse(
      train,
      val,
      settings,
      o.evalBeforeFinalize
        ? async (model) => {
            const te = performance.now();
            sparseBeforeAcc = await accuracy(model, test.xs, data.test.labels);
            timings.evaluate = (timings.evaluate ?? 0) + seconds(te);
          }
        : undefined,
    );
    toDispose.push(sparse.model);
    timings.trainSparse = seconds(t);
    const fin = sparse.finalize;
    const perLayer = (st: { layers: Record<string, { nonzero: number }> }) =>
      Object.entries(st.layers)
        .map(([l, g]) => `${l} ${g.nonzero}`)
        .join(', ');
    if (sparse.phase1Finalize) {
      log(
        `exact-k step after WGSEF: ${sparse.phase1Finalize.nonzeroBefore} groups were nonzero (${perLayer(sparse.afterPhase1)}), ` +
          `${sparse.phase1Finalize.nonzeroAfter} kept for HSPG`,
      );
    }
    log(
      `finalize after HSPG: ${fin.nonzeroBefore} groups were nonzero before the exact-k step, ${fin.nonzeroAfter} after (requested ${Object.values(sparse.requested).reduce((a, b) => a + b, 0)}); ` +
        Object.entries(sparse.requested)
          .map(
            ([l, k]) =>
              `${l} ${sparse.beforeFinalize.layers[l]?.nonzero} -> ${fin.stats.layers[l]?.nonzero}/${k}`,
          )
          .join(', '),
    );

    // 5. prune, with the output check on random inputs and real test images
    t = performance.now();
    const samples = tf.slice(test.xs, [0, 0, 0, 0], [Math.min(64, data.test.count), -1, -1, -1]);
    const pruned = await prune(sparse.model, { check: { tolerance: 1e-4, samples } }).finally(() =>
      samples.dispose(),
    );
    toDispose.push(pruned.model);
    timings.prune = seconds(t);
    const eq = pruned.report.equivalence;
    log(
      `prune: ${pruned.report.groupsRemoved} groups removed; params ${pruned.report.total.paramsBefore} -> ${pruned.report.total.paramsAfter}, ` +
        `MACs ${pruned.report.total.macsBefore} -> ${pruned.report.total.macsAfter}; output check max relative difference ${eq ? eq.maxRelativeDifference.toExponential(2) : 'n/a'}`,
    );

    // 6. accuracy of the pruned model
    t = performance.now();
    const prunedAcc = await accuracy(pruned.model, test.xs, data.test.labels);
    timings.evaluate = (timings.evaluate ?? 0) + seconds(t);

    // 7. latency, dense vs pruned
    t = performance.now();
    log(
      `latency: ${backend.backend}, batch ${o.latencyBatchSizes.join(', ')}, ${o.latencyRuns} runs per model (${o.latencyClock} clock)`,
    );
    const lat = await benchmarkLatency(
      [
        { name: 'dense', model: dense.model },
        { name: 'pruned', model: pruned.model },
      ],
      {
        backends: [backend.backend],
        batchSizes: o.latencyBatchSizes,
        runs: o.latencyRuns,
        warmupRuns: 3,
        clock: o.latencyClock,
        seed: o.seed,
      },
    );
    timings.latency = seconds(t);
    const cells: LatencyCell[] = [];
    for (const r of lat.results.filter((x) => x.model === 'pruned')) {
      const base = lat.results.find(
        (x) => x.model === 'dense' && x.batchSize === r.batchSize && x.backend === r.backend,
      );
      if (!base) continue;
      cells.push({
        batchSize: r.batchSize,
        backend: r.backend,
        denseMs: base.median,
        prunedMs: r.median,
        speedup: r.speedup,
        pairedSpeedup: r.pairedSpeedup,
        macRatio: r.macRatio,
        efficiency: r.efficiency,
        noisy: r.noisy || base.noisy,
      });
    }

    // 8. outputs
    const outDir = resolve(o.out);
    const modelDir = join(outDir, 'pruned');
    mkdirSync(outDir, { recursive: true });
    await saveModel(pruned.model, modelDir);
    timings.total = seconds(tStart);
    const layerTotals: Record<string, number> = {};
    const nonzeroBefore: Record<string, number> = {};
    const nonzeroAfterPhase1: Record<string, number> = {};
    const kept: Record<string, number> = {};
    const widths: Record<string, number> = {};
    for (const [name, g] of Object.entries(fin.stats.layers)) {
      layerTotals[name] = g.groups;
      kept[name] = g.nonzero;
      nonzeroBefore[name] = sparse.beforeFinalize.layers[name]?.nonzero ?? 0;
      nonzeroAfterPhase1[name] = sparse.afterPhase1.layers[name]?.nonzero ?? 0;
      const w = layerWidth(pruned.model, name);
      if (w !== null) widths[name] = w;
    }
    const summary = buildSummary({
      command: io.command ?? 'npm run demo',
      date: new Date(),
      environment: {
        node: process.version,
        platform: `${platform()}/${process.arch}`,
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model ?? 'unknown',
        tfjs: tf.version_core,
      },
      backend: { name: backend.backend, reason: backend.reason },
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
        model: 'LeNet-5-Caffe (conv 20, conv 50, dense 500, 10)',
        groups: 'filters (conv filters + dense neurons)',
        optimizer: 'SGD momentum / HSPG',
        schedule: 'cosine over both phases',
      },
      accuracy: { dense: denseAcc, sparseBeforeFinalize: sparseBeforeAcc, pruned: prunedAcc },
      layerTotals,
      requested: sparse.requested,
      nonzeroBeforeFinalize: nonzeroBefore,
      nonzeroAfterPhase1,
      kept,
      prunedWidths: widths,
      costs: pruned.report.total,
      equivalence: eq
        ? { maxRelativeDifference: eq.maxRelativeDifference, tolerance: eq.tolerance, samples: eq.samples }
        : null,
      latency: { clock: o.latencyClock, runs: o.latencyRuns, cells },
      curves: { dense: dense.curve, sparse: sparse.curve },
      history: sparse.history,
      batchesPerEpoch: Math.ceil(data.train.count / o.batchSize),
      phase1Epochs: o.phase1Epochs,
      timings,
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
      `total time:   ${timings.total.toFixed(1)} s (${Object.entries(timings)
        .filter(([k]) => k !== 'total')
        .map(([k, v]) => `${k} ${v.toFixed(1)} s`)
        .join(', ')})`,
    );
    return { summary, table };
  } finally {
    for (const m of toDispose) m.dispose();
    tf.dispose([train.xs, train.ys, test.xs, test.ys]);
    if (val) tf.dispose([val.xs, val.ys]);
  }
}
