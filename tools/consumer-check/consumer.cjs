// External-consumer check (CommonJS). Run by tools/consumer-check/run.mjs in the scratch project after
// consumer.mjs: require() every public @klevel package and call one public function of each, to prove the
// CJS builds load and work with the CJS builds of tfjs (cpu backend, then wasm through useBestBackend).
'use strict';
const tf = require('@tensorflow/tfjs-core');
const tfl = require('@tensorflow/tfjs-layers');
require('@tensorflow/tfjs-backend-cpu');
const { registerTrainingKernels } = require('@klevel/wasm-train');
const { useBestBackend } = require('@klevel/wasm-train/node');
const { wgsefProx, wgsef } = require('@klevel/wgsef');
const { countFlops } = require('@klevel/groups');
const { proxCallback } = require('@klevel/prox-callback');
const { hspg } = require('@klevel/hspg');
const { planPruning } = require('@klevel/pruner');
const { summarize } = require('@klevel/latency');

function check(ok, what) {
  if (!ok) throw new Error(`consumer check (CJS) failed: ${what}`);
}
const lines = [];
const log = (name, detail) => lines.push(`${name.padEnd(22)} ${detail}`);

function tinyModel() {
  const model = tfl.sequential();
  model.add(
    tfl.layers.conv2d({ inputShape: [8, 8, 1], filters: 4, kernelSize: 3, activation: 'relu', name: 'c1' }),
  );
  model.add(tfl.layers.flatten());
  model.add(tfl.layers.dense({ units: 3, activation: 'softmax', name: 'out' }));
  return model;
}

async function main() {
  // @klevel/wasm-train: the training kernels on the cpu backend.
  await tf.setBackend('cpu');
  const kernels = registerTrainingKernels('cpu');
  check(kernels.replaced.includes('Conv2DBackpropFilter'), `cpu kernels: ${JSON.stringify(kernels)}`);
  log('@klevel/wasm-train', `registerTrainingKernels('cpu') replaced ${kernels.replaced.join(', ')}`);

  // @klevel/wgsef: the host prox (README example).
  const p = Array.from(
    wgsefProx([3, 0, 2, 0, 0.5, 0], [0, 2, 4, 6], { k: 1, lambda: 0.5, weights: [1, 1, 1] }),
  );
  const expected = [1.75, 0, 0.75, 0, 0, 0];
  check(
    p.every((v, i) => Math.abs(v - expected[i]) < 1e-12),
    `wgsefProx returned ${p}`,
  );
  log('@klevel/wgsef', `wgsefProx -> [${p.join(', ')}]`);

  // @klevel/groups: MACs of a tiny conv net (6*6*3*3*1*4 + 144*3).
  const model = tinyModel();
  const macs = countFlops(model).total;
  check(macs === 6 * 6 * 9 * 4 + 144 * 3, `countFlops: ${macs}`);
  log('@klevel/groups', `countFlops = ${macs} MACs`);

  // @klevel/prox-callback + @klevel/hspg: one epoch each through model.fit (class-based callbacks across CJS).
  const xs = tf.randomNormal([8, 8, 8, 1], 0, 1, 'float32', 1);
  const ys = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1], 'int32'), 3);
  const reg = wgsef({ groups: 'filters', keep: { count: 2 }, lambda: 0.01 });
  model.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy' });
  const cb = proxCallback(reg);
  const h = await model.fit(xs, ys, { epochs: 1, batchSize: 4, verbose: 0, callbacks: [cb] });
  check(
    cb.history.length === 2 && Number.isFinite(h.history.wgsef[0]),
    'proxCallback did not run after each batch',
  );
  log('@klevel/prox-callback', `2 batches, wgsef=${h.history.wgsef[0].toExponential(3)}`);
  const opt = hspg({ regularizer: reg, learningRate: 0.05, epsilon: 0.1 });
  model.compile({ optimizer: opt, loss: 'categoricalCrossentropy' });
  await model.fit(xs, ys, { epochs: 1, batchSize: 4, verbose: 0, callbacks: [proxCallback(reg)] });
  check(opt.stage === 2, `hspg stage ${opt.stage}`);
  const fin = reg.finalize();
  check(
    fin.stats.layers.c1.nonzero === 2,
    `finalize kept ${fin.stats.layers.c1.nonzero} filters, expected 2`,
  );
  log('@klevel/hspg', `stage ${opt.stage}; finalize -> c1 ${fin.stats.layers.c1.nonzero}/4 filters`);

  // @klevel/pruner: the plan removes the two zero filters of c1.
  const plan = planPruning(model);
  check(
    plan.groups.removed.length === 2,
    `planPruning removed ${plan.groups.removed.length} groups, expected 2`,
  );
  log('@klevel/pruner', `planPruning removes ${plan.groups.removed.map((g) => g.id).join(', ')}`);

  // @klevel/latency: the statistics helper (README example).
  const s = summarize([3, 1, 2]);
  check(s.median === 2 && s.n === 3, `summarize: ${JSON.stringify(s)}`);
  log('@klevel/latency', `summarize([3, 1, 2]).median = ${s.median}`);

  // useBestBackend from the CJS build: the wasm binaries must be located without setWasmPaths.
  tf.dispose([xs, ys]);
  model.dispose();
  const best = await useBestBackend();
  check(best.backend === 'wasm' && tf.getBackend() === 'wasm', `useBestBackend (CJS) chose ${best.backend}`);
  const y = tf.tidy(
    () => tf.sum(tf.conv2d(tf.ones([1, 4, 4, 1]), tf.ones([3, 3, 1, 1]), 1, 'valid')).dataSync()[0],
  );
  check(y === 36, `conv2d on wasm returned ${y}`);
  log('useBestBackend (CJS)', `${best.backend}; conv2d ok`);

  console.log(`[consumer.cjs] OK\n  ${lines.join('\n  ')}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
