// Training-step benchmark of @klevel/wasm-train (imports the built dist: `npm run build` first).
// LeNet-5 on Fashion-MNIST at batch 128 (stock cpu, cpu + klevel, stock wasm, wasm + klevel) and a
// ~1M-param VGG-small at batch 64 on wasm + klevel. Per-step time = onBatchBegin -> onBatchEnd of
// model.fit (forward, backward, Adam update and the loss read-back), median after warm-up steps.
import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tfl from '@tensorflow/tfjs-layers';
import { registerTrainingKernels, unregisterTrainingKernels } from '@klevel/wasm-train';
import { useBestBackend } from '@klevel/wasm-train/node';

const DATA_DIR = '/usr/share/datasets/fashion-mnist';

/** Reads `count` training images ([count,28,28,1] in [0,1]) and one-hot labels, or synthetic data. */
function loadData(count) {
  const images = `${DATA_DIR}/train-images-idx3-ubyte.gz`;
  const labels = `${DATA_DIR}/train-labels-idx1-ubyte.gz`;
  if (existsSync(images) && existsSync(labels)) {
    const img = gunzipSync(readFileSync(images));
    const lab = gunzipSync(readFileSync(labels));
    if (img.readUInt32BE(0) !== 2051 || lab.readUInt32BE(0) !== 2049) throw new Error('bad IDX magic');
    const x = new Float32Array(count * 784);
    for (let i = 0; i < x.length; i++) x[i] = img[16 + i] / 255;
    const y = Int32Array.from(lab.subarray(8, 8 + count));
    return { x, y, source: 'Fashion-MNIST (train split)' };
  }
  let s = 1;
  const rnd = () => {
    s = (s * 16807) % 2147483647;
    return s / 2147483647;
  };
  const x = Float32Array.from({ length: count * 784 }, rnd);
  const y = Int32Array.from({ length: count }, () => Math.floor(rnd() * 10));
  return { x, y, source: `synthetic data (${DATA_DIR} not found)` };
}

function lenet() {
  return tfl.sequential({
    layers: [
      tfl.layers.conv2d({
        inputShape: [28, 28, 1],
        filters: 6,
        kernelSize: 5,
        padding: 'same',
        activation: 'relu',
      }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.conv2d({ filters: 16, kernelSize: 5, activation: 'relu' }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 120, activation: 'relu' }),
      tfl.layers.dense({ units: 84, activation: 'relu' }),
      tfl.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
}

function vggSmall() {
  const conv = (filters, first) =>
    tfl.layers.conv2d({
      ...(first ? { inputShape: [28, 28, 1] } : {}),
      filters,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
    });
  return tfl.sequential({
    layers: [
      conv(32, true),
      conv(32),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      conv(64),
      conv(64),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 300, activation: 'relu' }),
      tfl.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Median ms per fit step over `steps` measured batches after `warmup` batches. */
async function timeFit(build, data, batch, warmup, steps) {
  const n = batch * (warmup + steps);
  const model = build();
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
  const xs = tf.tensor4d(data.x.subarray(0, n * 784), [n, 28, 28, 1]);
  const ys = tf.oneHot(tf.tensor1d(data.y.subarray(0, n), 'int32'), 10);
  const times = [];
  let t0 = 0;
  try {
    await model.fit(xs, ys, {
      batchSize: batch,
      epochs: 1,
      shuffle: false,
      verbose: 0,
      callbacks: new tfl.CustomCallback({
        onBatchBegin: async () => {
          t0 = performance.now();
        },
        onBatchEnd: async () => {
          times.push(performance.now() - t0);
        },
      }),
    });
  } finally {
    tf.dispose([xs, ys]);
    model.dispose();
  }
  return { ms: median(times.slice(warmup)), steps: times.length - warmup, params: build().countParams() };
}

/**
 * VGG-small training steps with the klevel BatchMatMul and with the stock wasm one (scalar loops for
 * transposed operands), alternated step by step on one model so both see the same machine load.
 */
async function batchMatMulAB(data) {
  const klevel = tf.getKernel('BatchMatMul', 'wasm');
  const stock = klevel.kernelFunc[Symbol.for('@klevel/wasm-train/kernel')]?.original;
  if (stock == null) return undefined;
  const use = (cfg) => {
    tf.unregisterKernel('BatchMatMul', 'wasm');
    tf.registerKernel(cfg);
  };
  const model = vggSmall();
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
  const xs = tf.tensor4d(data.x.subarray(0, 64 * 784), [64, 28, 28, 1]);
  const ys = tf.oneHot(tf.tensor1d(data.y.subarray(0, 64), 'int32'), 10);
  const times = { stock: [], klevel: [] };
  try {
    for (let i = 0; i < 2; i++) await model.trainOnBatch(xs, ys);
    for (let i = 0; i < 12; i++) {
      for (const [name, cfg] of i % 2 ? [['stock', stock], ['klevel', klevel]] : [['klevel', klevel], ['stock', stock]]) {
        use(cfg);
        const t0 = performance.now();
        await model.trainOnBatch(xs, ys);
        times[name].push(performance.now() - t0);
      }
    }
  } finally {
    use(klevel);
    tf.dispose([xs, ys]);
    model.dispose();
  }
  return { stock: median(times.stock), klevel: median(times.klevel), pairs: times.stock.length };
}

async function attempt(fn) {
  try {
    return await fn();
  } catch (e) {
    return { error: String(e?.message ?? e).split('\n')[0] };
  }
}

export async function run() {
  const data = loadData(128 * 32);
  const rows = [];

  await tf.setBackend('cpu');
  unregisterTrainingKernels('cpu');
  const cpuStock = await timeFit(lenet, data, 128, 1, 3);
  registerTrainingKernels('cpu');
  const cpuKlevel = await timeFit(lenet, data, 128, 2, 6);

  const chosen = await useBestBackend({ backend: 'wasm' });
  unregisterTrainingKernels('wasm');
  const wasmStock = await attempt(() => timeFit(lenet, data, 128, 1, 1));
  registerTrainingKernels('wasm');
  const wasmKlevel = await timeFit(lenet, data, 128, 5, 25);
  const vgg = await timeFit(vggSmall, data, 64, 2, 10);
  const matmul = await batchMatMulAB(data);

  const fmt = (r) => (r.error ? `cannot train: \`${r.error}\`` : `${r.ms.toFixed(1)}`);
  rows.push(['cpu, stock kernels', fmt(cpuStock), cpuStock.steps, '1x']);
  rows.push([
    'cpu + klevel Conv2DBackpropFilter',
    fmt(cpuKlevel),
    cpuKlevel.steps,
    `${(cpuStock.ms / cpuKlevel.ms).toFixed(1)}x`,
  ]);
  rows.push(['wasm, stock kernels', fmt(wasmStock), wasmStock.steps ?? 0, '-']);
  rows.push([
    'wasm + klevel kernels',
    fmt(wasmKlevel),
    wasmKlevel.steps,
    `${(cpuStock.ms / wasmKlevel.ms).toFixed(1)}x`,
  ]);
  const speedup = cpuStock.ms / wasmKlevel.ms;
  const markdown = `Data: ${data.source}. Adam 1e-3, categorical cross-entropy, \`model.fit\`, ${chosen.reason}.

**LeNet-5** (${cpuStock.params.toLocaleString('en-US')} params), batch 128, median ms per training step:

| backend | ms / step | steps timed | speed-up vs stock cpu |
| --- | ---: | ---: | ---: |
${rows.map((r) => `| ${r.join(' | ')} |`).join('\n')}

**VGG-small** (conv 32-32-pool-64-64-pool, dense 300, 10; ${vgg.params.toLocaleString('en-US')} params), batch 64, wasm + klevel kernels: **${vgg.ms.toFixed(0)} ms / step** (median of ${vgg.steps}).

${matmul ? `Dense-layer gradients: the same VGG-small step with the stock wasm \`BatchMatMul\` (scalar loops for transposed operands) vs klevel's, alternated step by step (${matmul.pairs} pairs, \`trainOnBatch\`): **${matmul.stock.toFixed(0)} ms vs ${matmul.klevel.toFixed(0)} ms** (${(matmul.klevel / matmul.stock).toFixed(2)}x).\n\n` : ''}Goals: wasm + klevel >= 50x faster than stock cpu on LeNet-5: **${speedup.toFixed(0)}x (${speedup >= 50 ? 'met' : 'NOT met'})**; VGG-small batch-64 step < 600 ms: **${vgg.ms.toFixed(0)} ms (${vgg.ms < 600 ? 'met' : 'NOT met'})**.
`;
  return { title: '@klevel/wasm-train: training step times', markdown };
}
