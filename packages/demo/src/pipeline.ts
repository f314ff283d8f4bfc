/**
 * The demo as a recipe, one stage per step: backend and data; the dense baseline; the sparse run (WGSEF
 * prox-SGD, HSPG, exact-k finalize); prune (output-checked); fine-tune the pruned model; latency; outputs.
 */
import { availableParallelism } from 'node:os';
import { prune } from '@klevel/pruner';
import { useBestBackend } from '@klevel/wasm-train/node';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { loadDemoData } from './data';
import { accuracy } from './evaluate';
import { measureLatency } from './latency';
import type { DemoOptions } from './options';
import { type DemoOutputs, writeOutputs } from './outputs';
import type { DemoSummary } from './summary';
import {
  denseEpochs,
  fineTune,
  type SplitTensors,
  type TrainContext,
  toSplitTensors,
  trainDense,
  trainSparse,
} from './train';

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

/** Everything the stages share. */
interface DemoContext extends TrainContext {
  backend: { backend: string; reason: string };
  data: Awaited<ReturnType<typeof loadDemoData>>;
  test: SplitTensors;
  timings: Record<string, number>;
  /** Models to dispose at the end. */
  models: tfl.LayersModel[];
}

/** Runs `fn`, adding its seconds to `timings[name]`. */
async function timed<T>(ctx: Pick<DemoContext, 'timings'>, name: string, fn: () => Promise<T>): Promise<T> {
  const t = performance.now();
  try {
    return await fn();
  } finally {
    ctx.timings[name] = (ctx.timings[name] ?? 0) + (performance.now() - t) / 1000;
  }
}

/** 'auto': 2 threads when this run starts wasm on a 2+ core machine; a wasm already running keeps its count. */
function wasmThreadsOption(threads: DemoOptions['wasmThreads']): { wasmThreads?: number } {
  if (threads !== 'auto') return { wasmThreads: threads };
  return tf.findBackend('wasm') == null ? { wasmThreads: Math.min(2, availableParallelism()) } : {};
}

async function setup(o: DemoOptions, log: (line: string) => void): Promise<DemoContext> {
  const timings: Record<string, number> = {};
  const t = performance.now();
  const backend = await useBestBackend({
    ...(o.backend === 'auto' ? {} : { backend: o.backend }),
    ...wasmThreadsOption(o.wasmThreads),
  });
  log(`backend: ${backend.backend} (${backend.reason})`);
  const data = await loadDemoData(o);
  log(
    `data: Fashion-MNIST ${data.source === 'full' ? 'full dataset' : 'EMBEDDED SUBSET (full dataset not found)'} from ${data.dir}: ` +
      `${data.train.count} training images (of ${data.poolSize}), ${data.val?.count ?? 0} held-out validation, ${data.test.count} test`,
  );
  const ctx: DemoContext = {
    o,
    log,
    backend,
    data,
    train: toSplitTensors(data.train),
    val: data.val ? toSplitTensors(data.val) : undefined,
    test: toSplitTensors(data.test),
    timings,
    models: [],
  };
  timings.setup = (performance.now() - t) / 1000;
  return ctx;
}

function testAccuracy(ctx: DemoContext, model: tfl.LayersModel): Promise<number> {
  return timed(ctx, 'evaluate', () => accuracy(model, ctx.test.xs, ctx.data.test.labels));
}

async function denseStage(ctx: DemoContext) {
  const { o } = ctx;
  ctx.log(
    `dense baseline: LeNet-5-Caffe, SGD momentum ${o.momentum}, cosine lr ${o.learningRate} -> ${o.minLearningRate}, ${denseEpochs(o)} epochs`,
  );
  const dense = await timed(ctx, 'trainDense', () => trainDense(ctx));
  ctx.models.push(dense.model);
  const acc = await testAccuracy(ctx, dense.model);
  ctx.log(`dense baseline: test accuracy ${(acc * 100).toFixed(2)}%`);
  return { ...dense, accuracy: acc };
}

async function sparseStage(ctx: DemoContext) {
  const { o } = ctx;
  ctx.log(
    `sparse run: WGSEF (keep ${o.keep * 100}% of filters/neurons per layer, lambda ${o.lambda}) prox-SGD for ${o.proxEpochs} epoch(s), ` +
      `then HSPG's half-space stage (epsilon ${o.epsilon}) for ${o.hspgEpochs}, then the exact-k finalize`,
  );
  const sparse = await timed(ctx, 'trainSparse', () => trainSparse(ctx, (m) => testAccuracy(ctx, m)));
  ctx.models.push(sparse.model);
  const fin = sparse.finalize;
  if (sparse.lambdas) {
    const l = sparse.lambdas;
    ctx.log(
      `lambda per layer (first nonzero, peak, at the switch to half-space, last): ${Object.keys(l.last)
        .map((n) => `${n} ${[l.first, l.peak, l.atSwitch, l.last].map((v) => fmtLambda(v[n])).join(' / ')}`)
        .join(', ')}`,
    );
  }
  if (sparse.accuracyBeforeFinalize !== null) {
    ctx.log(
      `sparse model before the exact-k finalize: test accuracy ${(sparse.accuracyBeforeFinalize * 100).toFixed(2)}%`,
    );
  }
  ctx.log(
    `finalize: ${fin.nonzeroBefore} groups were nonzero before the exact-k step, ${fin.nonzeroAfter} after; ` +
      Object.entries(sparse.requested)
        .map(
          ([l, k]) =>
            `${l} ${sparse.beforeFinalize.layers[l]?.nonzero} -> ${fin.stats.layers[l]?.nonzero}/${k}`,
        )
        .join(', '),
  );
  return sparse;
}

function fmtLambda(x: number | undefined): string {
  return x === undefined || !Number.isFinite(x) ? '?' : x.toExponential(2);
}

async function pruneStage(ctx: DemoContext, sparse: tfl.LayersModel) {
  const samples = tf.slice(ctx.test.xs, [0, 0, 0, 0], [Math.min(64, ctx.data.test.count), -1, -1, -1]);
  const pruned = await timed(ctx, 'prune', () =>
    prune(sparse, { check: { tolerance: 1e-4, samples } }).finally(() => samples.dispose()),
  );
  ctx.models.push(pruned.model);
  const r = pruned.report;
  ctx.log(
    `prune: ${r.groupsRemoved} groups removed; params ${r.total.paramsBefore} -> ${r.total.paramsAfter}, MACs ${r.total.macsBefore} -> ${r.total.macsAfter}; ` +
      `output check max relative difference ${r.equivalence ? r.equivalence.maxRelativeDifference.toExponential(2) : 'n/a'}`,
  );
  const before = await testAccuracy(ctx, pruned.model);
  ctx.log(`pruned model before the fine-tune: test accuracy ${(before * 100).toFixed(2)}%`);
  return { ...pruned, accuracyBeforeFineTune: before };
}

async function fineTuneStage(ctx: DemoContext, pruned: tfl.LayersModel) {
  ctx.log(
    `fine-tune of the pruned model: ${ctx.o.finetuneEpochs} epoch(s), cosine lr ${ctx.o.finetuneLearningRate} -> ${ctx.o.minLearningRate}`,
  );
  const curve = await timed(ctx, 'fineTune', () => fineTune(ctx, pruned));
  const acc = await testAccuracy(ctx, pruned);
  ctx.log(`pruned model after the fine-tune: test accuracy ${(acc * 100).toFixed(2)}%`);
  return { curve, accuracy: acc };
}

/** Runs the whole demo with `o` (see the module comment). */
export async function runDemo(o: DemoOptions, io: RunDemoIo = {}): Promise<DemoResult> {
  const log = io.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const tStart = performance.now();
  const ctx = await setup(o, log);
  try {
    const dense = await denseStage(ctx);
    const sparse = await sparseStage(ctx);
    const pruned = await pruneStage(ctx, sparse.model);
    const tuned = await fineTuneStage(ctx, pruned.model);
    const latency = await timed(ctx, 'latency', () =>
      measureLatency(ctx.backend.backend, dense.model, pruned.model, o, log),
    );
    const outputs: DemoOutputs = {
      command: io.command ?? 'npm run demo',
      dense,
      sparse,
      pruned,
      tuned,
      latency,
    };
    return await writeOutputs(ctx, outputs, tStart);
  } finally {
    for (const m of ctx.models) m.dispose();
    tf.dispose([ctx.train.xs, ctx.train.ys, ctx.test.xs, ctx.test.ys]);
    if (ctx.val) tf.dispose([ctx.val.xs, ctx.val.ys]);
  }
}
