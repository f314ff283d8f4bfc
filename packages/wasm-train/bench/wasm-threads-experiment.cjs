// EXPERIMENT (not part of the package API): multi-threaded tfjs-backend-wasm 4.22 in Node.
// See docs/wasm-threads.md. Usage (one process per mode; compare on a quiet machine):
//   MODE=simd     node packages/wasm-train/bench/wasm-threads-experiment.cjs
//   MODE=threads THREADS=2 node packages/wasm-train/bench/wasm-threads-experiment.cjs
// It prints the thread count, the median wall time of a conv and of a LeNet-5 training step
// (batch 128, klevel kernels), and a checksum that must be identical in both modes.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const tf = require('@tensorflow/tfjs-core');
const tfl = require('@tensorflow/tfjs-layers');
const wasmPkg = require('@tensorflow/tfjs-backend-wasm');
const { registerTrainingKernels } = require('@klevel/wasm-train');

const threaded = process.env.MODE === 'threads';
const bundlePath = require.resolve('@tensorflow/tfjs-backend-wasm');

/** The four work-arounds documented in docs/wasm-threads.md. Returns a restore function. */
function prepareThreads() {
  // (1) The worker script only exists as a string literal inside the bundle: extract it.
  const src = fs.readFileSync(bundlePath, 'utf8');
  const m = /var wasmWorkerContents = ("(?:[^"\\]|\\.)*");/.exec(src);
  if (m == null) throw new Error('wasmWorkerContents not found in the bundle');
  let worker = JSON.parse(m[1]);
  // (2) In Node the worker cannot importScripts() a Blob: read it asynchronously and evaluate the
  // factory with the bundle-scope bindings its source refers to (rollup-renamed requires).
  const blobBranch =
    'else{var objectUrl=URL.createObjectURL(e.data.urlOrBlob);importScripts(objectUrl);URL.revokeObjectURL(objectUrl)}WasmBackendModuleThreadedSimd(Module)';
  if (!worker.includes(blobBranch)) throw new Error('worker layout changed');
  worker = worker.replace(
    blobBranch,
    'else{e.data.urlOrBlob.text().then(function(s){(0,eval)(PRELUDE+s);WasmBackendModuleThreadedSimd(Module)});return}WasmBackendModuleThreadedSimd(Module)',
  );
  const prelude = `var require$$0=require("fs"),require$$1=require("path"),require$$3=require("perf_hooks"),require$$4=require("os"),commonjsGlobal=globalThis,__filename=${JSON.stringify(bundlePath)},__dirname=${JSON.stringify(path.dirname(bundlePath))};`;
  worker = `var PRELUDE=${JSON.stringify(prelude)};${worker}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'klevel-wasm-threads-'));
  const workerFile = path.join(dir, 'tfjs-backend-wasm-threaded-simd.worker.js');
  fs.writeFileSync(workerFile, worker.replace(/\n/g, '\\n'));
  // (3) Emscripten starts pthread workers from URL.createObjectURL(blob); Node's Worker needs a path.
  const createObjectURL = URL.createObjectURL;
  URL.createObjectURL = (blob) =>
    blob && blob.type === 'application/javascript' ? workerFile : createObjectURL(blob);
  // (4) tfjs caps the pool at logical cores / 2 (1 on a 2-vCPU machine): report twice the cores.
  const cpus = os.cpus;
  os.cpus = () => [...cpus(), ...cpus()];
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  wasmPkg.setThreadsCount(Number(process.env.THREADS ?? os.cpus().length / 2));
  return () => {
    URL.createObjectURL = createObjectURL;
    os.cpus = cpus;
  };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const time = (f, n) => {
  f();
  const t = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    f();
    t.push(performance.now() - t0);
  }
  return median(t).toFixed(1);
};

(async () => {
  wasmPkg.setWasmPaths(`${path.dirname(bundlePath)}/`);
  const restore = threaded ? prepareThreads() : () => {};
  const ok = await tf.setBackend('wasm');
  restore();
  if (!ok) throw new Error('wasm did not initialise');
  const pool = tf.backend().wasm.PThread;
  // (5) Idle pthread workers keep the process alive: unref them.
  if (pool) for (const w of [...pool.unusedWorkers, ...pool.runningWorkers]) w.unref();
  registerTrainingKernels('wasm');
  console.log(`mode ${threaded ? 'threads' : 'simd'}: XNNPACK threads = ${wasmPkg.getThreadsCount()}`);

  const x = tf.sin(tf.reshape(tf.range(0, 64 * 28 * 28 * 32), [64, 28, 28, 32]));
  const w = tf.cos(tf.reshape(tf.range(0, 9 * 32 * 32), [3, 3, 32, 32]));
  console.log(
    `conv 64x28x28x32 -> 32 (3x3): ${time(() => tf.tidy(() => tf.conv2d(x, w, 1, 'same').dataSync()), 5)} ms`,
  );
  let sum = 0;
  for (const v of tf.conv2d(x, w, 1, 'same').dataSync()) sum += v;
  console.log(`checksum ${sum.toFixed(3)}`);

  const model = tfl.sequential({
    layers: [
      tfl.layers.conv2d({
        inputShape: [28, 28, 1],
        filters: 6,
        kernelSize: 5,
        padding: 'same',
        activation: 'relu',
        kernelInitializer: 'ones',
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
  const opt = tf.train.adam(1e-3);
  const xs = tf.sin(tf.reshape(tf.range(0, 128 * 784), [128, 28, 28, 1]));
  const ys = tf.oneHot(tf.cast(tf.mod(tf.range(0, 128), 10), 'int32'), 10);
  const step = () =>
    opt.minimize(() => tf.mean(tfl.metrics.categoricalCrossentropy(ys, model.apply(xs))), true).dataSync();
  console.log(`LeNet-5 training step (batch 128): ${time(step, 10)} ms`);
})().catch((e) => {
  console.error('FAILED', e);
  process.exit(1);
});
