// Child process of wasm-threads.test.ts: trains a small conv net with model.fit on the wasm backend with
// WASM_THREADS XNNPACK threads (built package, as a user runs it) and prints the weights' bytes as JSON.
// Usage: WASM_THREADS=2 node packages/wasm-train/test/threads-train.mjs
import { createHash } from 'node:crypto';
import { useBestBackend } from '@klevel/wasm-train/node';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

const threads = Number(process.env.WASM_THREADS ?? 1);
const chosen = await useBestBackend({ backend: 'wasm', wasmThreads: threads });
const seeded = (seed) => tfl.initializers.glorotUniform({ seed });
const model = tfl.sequential({
  layers: [
    tfl.layers.conv2d({
      inputShape: [16, 16, 3],
      filters: 8,
      kernelSize: 3,
      activation: 'relu',
      kernelInitializer: seeded(1),
    }),
    tfl.layers.maxPooling2d({ poolSize: 2 }),
    tfl.layers.conv2d({
      filters: 16,
      kernelSize: 3,
      strides: 2,
      activation: 'relu',
      kernelInitializer: seeded(2),
    }),
    tfl.layers.flatten(),
    tfl.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: seeded(3) }),
  ],
});
model.compile({ optimizer: tf.train.momentum(0.05, 0.9), loss: 'categoricalCrossentropy' });
const xs = tf.randomUniform([96, 16, 16, 3], -1, 1, 'float32', 7);
const ys = tf.oneHot(tf.cast(tf.mul(tf.randomUniform([96], 0, 10, 'float32', 8), 1), 'int32'), 10);
const fit = () => model.fit(xs, ys, { epochs: 1, batchSize: 32, shuffle: false, verbose: 0 });
const first = await fit(); // creates the optimizer's slots
const before = tf.memory().numTensors;
const second = await fit();
// Asking for another thread count once wasm runs must throw, not be ignored.
const other = threads === 1 ? 2 : 1;
const recheck = await useBestBackend({ backend: 'wasm', wasmThreads: other }).then(
  () => 'no error',
  (e) => e.message,
);
const hash = createHash('sha256');
for (const w of model.getWeights()) hash.update(Buffer.from(w.dataSync().buffer));
console.log(
  JSON.stringify({
    threads: chosen.wasmThreads ?? 1,
    reason: chosen.reason,
    weights: hash.digest('hex'),
    loss: [...first.history.loss, ...second.history.loss],
    leaked: tf.memory().numTensors - before,
    recheck,
  }),
);
