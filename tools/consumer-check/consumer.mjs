// External-consumer check (ESM). Run by tools/consumer-check/run.mjs inside a scratch npm project that
// installed the packed @klevel/* tarballs and tfjs 4.22 from the registry. Uses ONLY the documented public
// API, the way a user would: backend, conv model, WGSEF prox-SGD, HSPG, exact-k finalize, prune (checked),
// save, load, latency (library and the klevel-latency bin). Every step asserts its outcome and throws on
// failure; the script prints one line per step and a summary.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { countFlops } from '@klevel/groups';
import { hspg } from '@klevel/hspg';
import { benchmarkLatency } from '@klevel/latency/node';
import { proxCallback } from '@klevel/prox-callback';
import { prune } from '@klevel/pruner';
import { loadModel, saveModel } from '@klevel/pruner/node';
import { useBestBackend } from '@klevel/wasm-train/node';
import { wgsef } from '@klevel/wgsef';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

const t0 = performance.now();
const summary = [];
function check(ok, what) {
  if (!ok) throw new Error(`consumer check failed: ${what}`);
}
function step(name, detail) {
  const line = `${name.padEnd(10)} ${detail}`;
  summary.push(line);
  console.log(`[consumer.mjs] ${line} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}
function maxAbsDiff(a, b) {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

// 1. Backend: wasm with the klevel training kernels (tfjs-node is not installed in the scratch project).
const best = await useBestBackend();
check(
  best.backend === 'wasm' && tf.getBackend() === 'wasm',
  `useBestBackend chose '${best.backend}', expected wasm`,
);
check(
  best.kernels?.added.includes('Conv2DBackpropFilter'),
  'Conv2DBackpropFilter was not registered on wasm',
);
step('backend', `${best.backend}: kernels added ${best.kernels.added.join(', ')}`);

// 2. A small conv net on synthetic 28x28x1 data: noise plus a bright square in the quadrant named by the label.
// Seeded kernels: an unseeded Glorot draw made this check fail now and then (the net stayed at 50%).
function buildModel() {
  const k = (seed) => tfl.initializers.glorotUniform({ seed });
  const input = tfl.input({ shape: [28, 28, 1] });
  let x = tfl.layers
    .conv2d({ name: 'conv1', filters: 8, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: k(1) })
    .apply(input);
  x = tfl.layers.batchNormalization({ name: 'bn1' }).apply(x);
  x = tfl.layers.reLU({ name: 'relu1' }).apply(x);
  x = tfl.layers.maxPooling2d({ name: 'pool1', poolSize: 2 }).apply(x);
  x = tfl.layers.conv2d({ name: 'conv2', filters: 16, kernelSize: 3, activation: 'relu', kernelInitializer: k(2) }).apply(x);
  x = tfl.layers.flatten({ name: 'flat' }).apply(x);
  x = tfl.layers.dense({ name: 'fc1', units: 32, activation: 'relu', kernelInitializer: k(3) }).apply(x);
  const out = tfl.layers.dense({ name: 'fc2', units: 4, activation: 'softmax', kernelInitializer: k(4) }).apply(x);
  return tfl.model({ inputs: input, outputs: out });
}
const N = 128;
const labels = Array.from({ length: N }, (_, i) => (i * 7) % 4);
const ys = tf.oneHot(tf.tensor1d(labels, 'int32'), 4);
const xs = tf.tidy(() => {
  const quadrant = (q) => {
    const m = new Float32Array(28 * 28);
    for (let r = 0; r < 14; r++)
      for (let c = 0; c < 14; c++) m[(r + 14 * (q >> 1)) * 28 + c + 14 * (q & 1)] = 1;
    return m;
  };
  const masks = tf.tensor4d(
    labels.flatMap((q) => Array.from(quadrant(q))),
    [N, 28, 28, 1],
  );
  return tf.add(tf.randomUniform([N, 28, 28, 1], 0, 0.5, 'float32', 7), tf.mul(masks, 0.5));
});
const model = buildModel();

// 3. WGSEF regularizer, per-layer k (half of every layer's filters/neurons), prox-SGD through model.fit.
const reg = wgsef({ groups: 'filters', keep: { fraction: 0.5 }, lambda: 0.01 });
model.compile({
  optimizer: tf.train.sgd(0.1),
  loss: reg.loss('categoricalCrossentropy'),
  metrics: ['accuracy'],
});
const fitArgs = { batchSize: 32, epochs: 1, shuffle: false, verbose: 0 };
const prox = proxCallback(reg);
const h1 = await model.fit(xs, ys, { ...fitArgs, callbacks: [prox] });
const wgsefLog = h1.history.wgsef?.[0];
check(
  typeof wgsefLog === 'number' && Number.isFinite(wgsefLog) && wgsefLog > 0,
  `no 'wgsef' value in the fit logs (got ${wgsefLog})`,
);
check(typeof h1.history.group_sparsity?.[0] === 'number', "no 'group_sparsity' in the fit logs");
check(
  prox.history.length === N / fitArgs.batchSize,
  `prox history has ${prox.history.length} entries, expected ${N / fitArgs.batchSize}`,
);
// A repeated step must not leak: a second and third identical fit leave the tensor count unchanged.
await model.fit(xs, ys, { ...fitArgs, callbacks: [prox] });
const before = tf.memory().numTensors;
await model.fit(xs, ys, { ...fitArgs, callbacks: [prox] });
const leakProx = tf.memory().numTensors - before;
check(leakProx === 0, `model.fit with proxCallback leaked ${leakProx} tensors per epoch`);
step(
  'prox-sgd',
  `wgsef=${wgsefLog.toExponential(3)} group_sparsity=${h1.history.group_sparsity.at(-1)} leak=${leakProx}`,
);

// 4. HSPG: recompile with the half-space optimizer and keep training (the callback now only monitors).
const opt = hspg({ regularizer: reg, learningRate: 0.02, momentum: 0.5, epsilon: 0.02 });
model.compile({ optimizer: opt, loss: 'categoricalCrossentropy' });
const monitor = proxCallback(reg);
await model.fit(xs, ys, { ...fitArgs, callbacks: [monitor] });
check(monitor.monitoring === true, 'proxCallback should only monitor when HSPG applies the regularizer');
check(opt.stage === 2, `HSPG stage is ${opt.stage}, expected 2 (half-space from the first step)`);
const before2 = tf.memory().numTensors;
const h2 = await model.fit(xs, ys, { ...fitArgs, callbacks: [monitor] });
const leakHspg = tf.memory().numTensors - before2;
check(leakHspg === 0, `model.fit with HSPG leaked ${leakHspg} tensors per epoch`);
const loss2 = h2.history.loss[0];
check(Number.isFinite(loss2), `HSPG loss is ${loss2}`);
const layersNz = Object.entries(monitor.lastStats.layers).map(([l, g]) => `${l} ${g.nonzero}/${g.groups}`);
step('hspg', `loss=${loss2.toFixed(4)} nonzero groups ${layersNz.join(', ')} leak=${leakHspg}`);

// 5. Exact k: finalize keeps exactly the requested groups in every layer.
const fin = reg.finalize();
const requested = { conv1: 4, conv2: 8, fc1: 16 }; // keep half of 8, 16 and 32 (fc2 is the output: not regularized)
for (const [layer, k] of Object.entries(requested)) {
  const got = fin.stats.layers[layer]?.nonzero;
  check(got === k, `finalize: layer ${layer} has ${got} nonzero groups, requested ${k}`);
}
check(Object.keys(fin.stats.layers).length === 3, `groups in layers ${Object.keys(fin.stats.layers)}`);
check(fin.nonzeroAfter === 28, `finalize: ${fin.nonzeroAfter} nonzero groups, expected 28`);
step('finalize', `nonzero ${fin.nonzeroBefore} -> ${fin.nonzeroAfter} (requested 28 = 4 + 8 + 16)`);

// 6. Prune: a smaller model with identical outputs (prune checks on random inputs; we check on our data too).
const xCheck = tf.slice(xs, [0, 0, 0, 0], [16, 28, 28, 1]);
const { model: small, report } = await prune(model, { check: { tolerance: 1e-5, samples: [xCheck] } });
check(report.groupsRemoved === 28, `prune removed ${report.groupsRemoved} groups, expected 28`);
check(
  report.equivalence && report.equivalence.maxRelativeDifference <= 1e-5,
  'prune: no passing output check',
);
const convFilters = small.getLayer('conv2').getConfig().filters;
check(convFilters === 8, `pruned conv2 has ${convFilters} filters, expected 8`);
const yDense = model.predict(xCheck);
const ySmall = small.predict(xCheck);
const dPrune = maxAbsDiff(yDense, ySmall);
check(dPrune < 1e-5, `pruned predictions differ by ${dPrune}`);
const macsBefore = countFlops(model).total;
const macsAfter = countFlops(small).total;
check(macsAfter < macsBefore, 'pruning did not reduce MACs');
const acc = tf.tidy(
  () =>
    tf.mean(tf.cast(tf.equal(tf.argMax(small.predict(xs), 1), tf.argMax(ys, 1)), 'float32')).dataSync()[0],
);
check(
  acc > 0.5,
  `pruned model's training accuracy ${acc} is not above 0.5 (chance 0.25): training did not work`,
);
step(
  'prune',
  `accuracy ${acc.toFixed(3)}, params ${report.total.paramsBefore} -> ${report.total.paramsAfter}, MACs ${macsBefore} -> ${macsAfter} (${report.macsRatio.toFixed(2)}x), max |diff| ${dPrune.toExponential(1)}`,
);

// 7. Save and load (Node file IO, no tfjs-node), then compare predictions.
const dir = mkdtempSync(join(tmpdir(), 'klevel-consumer-models-'));
try {
  const denseDir = join(dir, 'dense');
  const prunedDir = join(dir, 'pruned');
  await saveModel(model, denseDir);
  const saved = await saveModel(small, prunedDir);
  check(saved.weightBytes > 0, 'saveModel wrote no weights');
  const loaded = await loadModel(prunedDir);
  const yLoaded = loaded.predict(xCheck);
  const dLoad = maxAbsDiff(ySmall, yLoaded);
  check(dLoad === 0, `loaded model predictions differ by ${dLoad}`);
  step('save/load', `${saved.weightBytes} weight bytes, max |diff| after load ${dLoad}`);

  // 8. Latency: the library, in memory, sparse (unpruned) vs pruned, and no leak across a repeated run.
  const opts = { backends: ['wasm'], batchSizes: [16], runs: 5, warmupRuns: 2 };
  const models = [
    { name: 'dense', model },
    { name: 'pruned', model: loaded },
  ];
  await benchmarkLatency(models, opts);
  const before3 = tf.memory().numTensors;
  const lat = await benchmarkLatency(models, opts);
  const leakLat = tf.memory().numTensors - before3;
  check(leakLat === 0, `benchmarkLatency leaked ${leakLat} tensors`);
  const r = lat.results.find((x) => x.model === 'pruned');
  check(
    r && r.n === 5 && r.median > 0 && Number.isFinite(r.speedup),
    'benchmarkLatency: no valid pruned result',
  );
  check(
    Math.abs(r.macRatio - macsBefore / macsAfter) < 1e-9,
    `latency MAC ratio ${r.macRatio} != ${macsBefore / macsAfter}`,
  );
  step(
    'latency',
    `batch 16 on wasm: speedup ${r.speedup.toFixed(2)}x, MAC ratio ${r.macRatio.toFixed(2)}x, leak=${leakLat}`,
  );

  // 9. The klevel-latency bin of the installed tarball, on the saved models.
  const help = execFileSync('npx', ['--no-install', 'klevel-latency', '--help'], { encoding: 'utf8' });
  check(
    help.includes('--runs') && help.includes('--json'),
    'klevel-latency --help does not list --runs/--json',
  );
  const outJson = join(dir, 'out.json');
  execFileSync(
    'npx',
    [
      '--no-install',
      'klevel-latency',
      join(denseDir, 'model.json'),
      prunedDir,
      '--backend',
      'wasm',
      '--batch',
      '1,8',
      '--runs',
      '3',
      '--warmup',
      '1',
      '--json',
      outJson,
      '--no-progress',
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const cli = JSON.parse(readFileSync(outJson, 'utf8'));
  check(
    Array.isArray(cli.results) && cli.results.length === 4,
    `klevel-latency --json: ${cli.results?.length} results, expected 4`,
  );
  check(
    cli.results.every((x) => x.n === 3 && x.median > 0),
    'klevel-latency: a result without 3 timed runs',
  );
  const cliPruned = cli.results.find((x) => x.batchSize === 8 && x.model !== cli.results[0].model);
  check(
    cliPruned && Math.abs(cliPruned.macRatio - macsBefore / macsAfter) < 1e-9,
    'klevel-latency: wrong MAC ratio',
  );
  step(
    'cli',
    `klevel-latency --help ok; 2 models x 2 batches -> out.json (batch 8 speedup ${cliPruned.speedup.toFixed(2)}x)`,
  );

  tf.dispose([yDense, ySmall, yLoaded]);
  loaded.dispose();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
tf.dispose([xs, ys, xCheck]);
small.dispose();
model.dispose();
console.log(
  `\n[consumer.mjs] OK in ${((performance.now() - t0) / 1000).toFixed(1)} s\n  ${summary.join('\n  ')}`,
);
