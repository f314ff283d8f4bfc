/**
 * The lambda: 'auto' experiment: LeNet-5-Caffe on real Fashion-MNIST, 80% filter/neuron sparsity per layer,
 * prox-SGD for a fixed budget, finalize (exact k), prune, fine-tune the pruned model; 'auto' against a
 * numeric lambda sweep with the same budget. Every choice is read on a validation split carved from the
 * training images (the test accuracy is printed for reference only).
 *
 * Resumable: each run is written to the results file as soon as it finishes; a rerun skips runs already
 * there (--force reruns them). Run it with `node tools/experiments/run.mjs auto-lambda [options]`.
 *
 *   --runs 'dense;1e-5;1e-4;auto' which runs, ';'-separated (numbers are lambdas, 'auto' the controller, 'auto:<json>'
 *                                 the controller with settings, e.g. auto:{"rhoEnd":0.01}; 'magnitude' trains dense
 *                                 and keeps the k groups of largest norm; the prefix 'scales:' measures the filters
 *                                 that feed a BatchNorm by its gamma/beta only (batchNorm: 'scales'), e.g.
 *                                 'scales:auto', 'scales:magnitude' (network slimming's ranking))
 *   --train 12000 --val 2000 --epochs 3 --ft 1 --batch 64 --lr 0.05 --seed 1 --keep 0.2
 *   --model lenet5-caffe | vgg-small-bn (16-16-32-32, 128) | resnet-block (16 filters, 28x28x1)
 *   --recal                      also measure with the BatchNorm moving statistics recomputed on 2,000 training
 *                                images after the sparse phase, after finalize() and after the fine-tune
 *                                (the fine-tune then starts from recalibrated statistics)
 *   --out tools/experiments/results/auto-lambda.json
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { accuracy, disposeOptimizer, loadDemoData, withSeededMathRandom } from '@klevel/demo';
import { proxCallback } from '@klevel/prox-callback';
import { prune, recalibrateBatchNorm } from '@klevel/pruner';
import { useBestBackend } from '@klevel/wasm-train/node';
import { groupLasso, type WgsefRegularizer, wgsef } from '@klevel/wgsef';
import { lenet5Caffe, resnetBlockModel, vggSmall } from '@klevel/zoo';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {
  type AutoLambdaSettings,
  tailEnergyFraction,
} from '../../packages/wgsef/src/regularizer/auto-lambda';

/** Cosine annealing from `max` at step 0 to `min` at `total`. */
function cosineLearningRate(step: number, total: number, max: number, min: number): number {
  const t = Math.min(Math.max(step / total, 0), 1);
  return min + ((max - min) * (1 + Math.cos(Math.PI * t))) / 2;
}

/** Sets the optimizer's learning rate before every batch from a schedule of this fit's step. */
class LearningRateScheduler extends tfl.Callback {
  private steps = 0;
  constructor(private readonly schedule: (step: number) => number) {
    super();
  }
  override async onBatchBegin(): Promise<void> {
    const opt = this.model?.optimizer as unknown as { setLearningRate(lr: number): void };
    opt.setLearningRate(this.schedule(this.steps));
  }
  override async onBatchEnd(): Promise<void> {
    this.steps++;
  }
}

const MODELS = {
  'lenet5-caffe': (seed: number) => lenet5Caffe({ seed }),
  'vgg-small-bn': (seed: number) =>
    vggSmall({ seed, batchNorm: true, filters: [16, 16, 32, 32], units: 128 }),
  'resnet-block': (seed: number) => resnetBlockModel({ seed, inputShape: [28, 28, 1], filters: 16 }),
} as const;
type ModelName = keyof typeof MODELS;

interface Protocol {
  model?: ModelName;
  train: number;
  val: number;
  epochs: number;
  ft: number;
  batch: number;
  lr: number;
  minLr: number;
  ftLr: number;
  seed: number;
  keep: number;
  recal?: true;
}

interface RunResult {
  name: string;
  protocol: Protocol;
  valBefore: number | null;
  valAfterFinalize: number | null;
  valAfterFt: number;
  testAfterFt: number;
  /** With --recal: the same measurements after recomputing the BatchNorm moving statistics. */
  recal?: {
    valBefore: number | null;
    valAfterFinalize: number | null;
    valAfterFt: number;
    testAfterFt: number;
  };
  minNonzero: Record<string, number>;
  requested: Record<string, number>;
  nonzeroBeforeFinalize: Record<string, number>;
  rhoBeforeFinalize: Record<string, number>;
  lambdaTrace: { step: number; lambda: number[]; rho: number[]; nonzero: number[] }[];
  layers: string[];
  seconds: number;
}

function parseArgs(argv: string[]): { runs: string[]; p: Protocol; out: string; force: boolean } {
  const get = (name: string, def: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? (argv[i + 1] as string) : def;
  };
  const model = get('model', 'lenet5-caffe') as ModelName;
  if (!(model in MODELS))
    throw new Error(`--model: one of ${Object.keys(MODELS).join(', ')}, got '${model}'`);
  const p: Protocol = {
    // lenet5-caffe keeps the protocol key of the runs recorded before --model existed
    ...(model === 'lenet5-caffe' ? {} : { model }),
    train: Number(get('train', '12000')),
    val: Number(get('val', '2000')),
    epochs: Number(get('epochs', '3')),
    ft: Number(get('ft', '1')),
    batch: Number(get('batch', '64')),
    lr: Number(get('lr', '0.05')),
    minLr: Number(get('min-lr', '0.001')),
    ftLr: Number(get('ft-lr', '0.01')),
    seed: Number(get('seed', '1')),
    keep: Number(get('keep', '0.2')),
    ...(argv.includes('--recal') ? { recal: true as const } : {}),
  };
  return {
    runs: splitRuns(get('runs', 'dense;1e-5;3e-5;1e-4;3e-4;1e-3;1e-2;auto')),
    p,
    out: get('out', 'tools/experiments/results/auto-lambda.json'),
    force: argv.includes('--force'),
  };
}

/** Runs are separated by ';' (or ',' when there is no ';' and no settings object). */
function splitRuns(s: string): string[] {
  return s.includes(';') || s.includes('{') ? s.split(';').filter(Boolean) : s.split(',');
}

/** The run-name prefix of `batchNorm: 'scales'`. */
const SCALES = /^scales:/;

function layerRho(reg: WgsefRegularizer, norms: Float64Array): number[] {
  const { layerGroups, weights } = reg.layout;
  return layerGroups.map((members, l) =>
    tailEnergyFraction(
      Float64Array.from(members, (j) => (norms[j] as number) * (weights[j] as number)),
      reg.budget!.perLayer[l] as number,
    ),
  );
}

async function runOne(
  name: string,
  p: Protocol,
  data: Awaited<ReturnType<typeof loadDemoData>>,
  tensors: { xs: tf.Tensor4D; ys: tf.Tensor; vxs: tf.Tensor4D; txs: tf.Tensor4D },
): Promise<RunResult> {
  const t0 = performance.now();
  const model = MODELS[p.model ?? 'lenet5-caffe'](p.seed);
  const opt = tf.train.momentum(p.lr, 0.9);
  model.compile({ optimizer: opt, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const perEpoch = Math.ceil(p.train / p.batch);
  const total = perEpoch * p.epochs;
  const lrAt = (s: number) => cosineLearningRate(s, total, p.lr, p.minLr);
  const valLabels = data.val!.labels;
  const result: Partial<RunResult> = { name, protocol: p, lambdaTrace: [] };
  const calib = p.recal ? tf.slice(tensors.xs, 0, Math.min(2000, p.train)) : undefined;
  const recal: NonNullable<RunResult['recal']> = {
    valBefore: null,
    valAfterFinalize: null,
    valAfterFt: 0,
    testAfterFt: 0,
  };
  const recalAndMeasure = async (m: tfl.LayersModel) => {
    await recalibrateBatchNorm(m, calib!, { batchSize: 250 });
    return accuracy(m, tensors.vxs, valLabels);
  };
  const fitDense = () =>
    withSeededMathRandom(p.seed, () =>
      model.fit(tensors.xs, tensors.ys, {
        batchSize: p.batch,
        epochs: p.epochs,
        shuffle: true,
        verbose: 0,
        callbacks: [new LearningRateScheduler(lrAt)],
      }),
    );
  let sparse: WgsefRegularizer | undefined;
  const minNz: number[] = [];
  if (name === 'dense') {
    await fitDense();
    result.valBefore = null;
    result.valAfterFinalize = null;
  } else if (name.replace(SCALES, '') === 'magnitude') {
    await fitDense();
    result.valBefore = await accuracy(model, tensors.vxs, valLabels);
    if (calib) recal.valBefore = await recalAndMeasure(model);
    const batchNorm = SCALES.test(name) ? 'scales' : 'group';
    const reg = groupLasso({ groups: 'filters', keep: { fraction: p.keep }, lambda: 0, batchNorm });
    reg.attach(model);
    reg.finalize();
    sparse = reg as unknown as WgsefRegularizer;
    result.valAfterFinalize = await accuracy(model, tensors.vxs, valLabels);
    if (calib) recal.valAfterFinalize = await recalAndMeasure(model);
  } else {
    const batchNorm = SCALES.test(name) ? 'scales' : 'group';
    const strength = name.replace(SCALES, '');
    const colon = strength.indexOf(':');
    const settings = (colon > 0 ? JSON.parse(strength.slice(colon + 1)) : {}) as Partial<AutoLambdaSettings>;
    const common = { groups: 'filters', keep: { fraction: p.keep }, batchNorm } as const;
    const reg = strength.startsWith('auto')
      ? wgsef({ ...common, lambda: 'auto', autoLambda: settings })
      : wgsef({ ...common, lambda: Number(strength) });
    reg.attach(model);
    sparse = reg;
    const prox = proxCallback(reg);
    minNz.push(...reg.layout.layerGroups.map((g) => g.length));
    const monitor = new tfl.CustomCallback({
      onBatchEnd: async () => {
        const st = reg.stats();
        reg.layout.layerNames.forEach((ln, l) => {
          minNz[l] = Math.min(minNz[l] as number, st.layers[ln]!.nonzero);
        });
        const s = (opt as unknown as { iterations: number }).iterations;
        if (s % 25 === 1 || s === total) {
          result.lambdaTrace!.push({
            step: s,
            lambda: Array.from(reg.lambdas(s - 1)),
            rho: layerRho(reg, reg.binding.groupNorms()),
            nonzero: reg.layout.layerNames.map((ln) => st.layers[ln]!.nonzero),
          });
        }
      },
      onEpochEnd: async (epoch) => {
        const st = reg.stats();
        const lam = Array.from(reg.lambdas()).map((x) => x.toExponential(2));
        console.log(
          `  [${name}] epoch ${epoch + 1}: nonzero ${reg.layout.layerNames
            .map((ln) => st.layers[ln]!.nonzero)
            .join('/')} lambda ${lam.join(' ')}`,
        );
      },
    });
    await withSeededMathRandom(p.seed, () =>
      model.fit(tensors.xs, tensors.ys, {
        batchSize: p.batch,
        epochs: p.epochs,
        shuffle: true,
        verbose: 0,
        callbacks: [prox, new LearningRateScheduler(lrAt), monitor],
      }),
    );
    result.valBefore = await accuracy(model, tensors.vxs, valLabels);
    if (calib) recal.valBefore = await recalAndMeasure(model);
    const norms = reg.binding.groupNorms();
    const rho = layerRho(reg, norms);
    const st = reg.stats(norms);
    result.layers = reg.layout.layerNames;
    result.nonzeroBeforeFinalize = Object.fromEntries(
      reg.layout.layerNames.map((ln) => [ln, st.layers[ln]!.nonzero]),
    );
    result.rhoBeforeFinalize = Object.fromEntries(reg.layout.layerNames.map((ln, l) => [ln, rho[l]!]));
    result.requested = Object.fromEntries(
      reg.layout.layerNames.map((ln, l) => [ln, reg.budget!.perLayer[l] as number]),
    );
    result.minNonzero = Object.fromEntries(reg.layout.layerNames.map((ln, l) => [ln, minNz[l]!]));
    reg.finalize();
    result.valAfterFinalize = await accuracy(model, tensors.vxs, valLabels);
    if (calib) recal.valAfterFinalize = await recalAndMeasure(model);
  }
  disposeOptimizer(opt);
  // fine-tune: the pruned model for sparse runs (zero groups removed), the dense model for dense
  const ftModel = sparse ? (await prune(model)).model : model;
  const ftOpt = tf.train.momentum(p.ftLr, 0.9);
  ftModel.compile({ optimizer: ftOpt, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const ftTotal = perEpoch * p.ft;
  await withSeededMathRandom(p.seed + 1, () =>
    ftModel.fit(tensors.xs, tensors.ys, {
      batchSize: p.batch,
      epochs: p.ft,
      shuffle: true,
      verbose: 0,
      callbacks: [
        new LearningRateScheduler((s: number) => cosineLearningRate(s, ftTotal, p.ftLr, p.ftLr / 20)),
      ],
    }),
  );
  result.valAfterFt = await accuracy(ftModel, tensors.vxs, valLabels);
  result.testAfterFt = await accuracy(ftModel, tensors.txs, data.test.labels);
  if (calib) {
    recal.valAfterFt = await recalAndMeasure(ftModel);
    recal.testAfterFt = await accuracy(ftModel, tensors.txs, data.test.labels);
    result.recal = recal;
    calib.dispose();
  }
  disposeOptimizer(ftOpt);
  if (ftModel !== model) ftModel.dispose();
  model.dispose();
  result.seconds = (performance.now() - t0) / 1000;
  return result as RunResult;
}

function pct(x: number | null | undefined): string {
  return x === null || x === undefined ? '   -  ' : `${(100 * x).toFixed(2)}%`;
}

function printTable(results: RunResult[]): void {
  console.log(
    '\nrun | val before | val after finalize | val after ft | test after ft | min nonzero (k) | rho before finalize | final lambda | s',
  );
  for (const r of results) {
    const layers = r.layers ?? [];
    const last = r.lambdaTrace?.[r.lambdaTrace.length - 1];
    console.log(
      [
        r.name,
        pct(r.valBefore),
        pct(r.valAfterFinalize),
        pct(r.valAfterFt),
        pct(r.testAfterFt),
        layers.map((l) => `${r.minNonzero[l]}(${r.requested[l]})`).join(' '),
        layers.map((l) => r.rhoBeforeFinalize[l]!.toExponential(1)).join(' '),
        last ? last.lambda.map((x) => x.toExponential(1)).join(' ') : '-',
        r.seconds.toFixed(0),
        r.recal
          ? `recal: before ${pct(r.recal.valBefore)} finalize ${pct(r.recal.valAfterFinalize)} ft ${pct(r.recal.valAfterFt)} test ${pct(r.recal.testAfterFt)}`
          : '',
      ].join(' | '),
    );
  }
}

async function main(): Promise<void> {
  const { runs, p, out, force } = parseArgs(process.argv.slice(2));
  const { backend } = await useBestBackend();
  console.log(`backend ${backend}; protocol ${JSON.stringify(p)}`);
  const data = await loadDemoData({
    data: 'full',
    dataDir: undefined,
    trainLimit: p.train,
    valSize: p.val,
    testLimit: null,
    seed: p.seed,
  });
  const { xs, ys } = data.train.toTensors({ onehot: true });
  const vxs = data.val!.toTensors({ onehot: true }).xs;
  const txs = data.test.toTensors({ onehot: true }).xs;
  const key = JSON.stringify(p);
  const all: Record<string, RunResult> = existsSync(out) ? JSON.parse(readFileSync(out, 'utf8')) : {};
  for (const name of runs) {
    const id = `${key}|${name}`;
    if (all[id] && !force) {
      console.log(`skip ${name} (done)`);
      continue;
    }
    console.log(`run ${name}`);
    const r = await runOne(name, p, data, {
      xs: xs as tf.Tensor4D,
      ys,
      vxs: vxs as tf.Tensor4D,
      txs: txs as tf.Tensor4D,
    });
    all[id] = r;
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, JSON.stringify(all, null, 1));
    printTable([r]);
  }
  printTable(
    Object.entries(all)
      .filter(([id]) => id.startsWith(key))
      .map(([, r]) => r),
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
