// Analysis speed of @klevel/groups (imports the built dist: `npm run build` first, or run it through
// `npm run bench -- groups`). A ResNet-style model with 24 identity blocks (49 convs + BN, 24 adds, dense:
// 50 weight layers) and a 16-channel version of LeNet-5 are analysed: buildDependencyGraph, then
// partitionGroups('filters' and 'channels') with the prebuilt graph, then countFlops. cpu backend (the
// analysis never touches tensor data). Acceptance (issue 4): the 50-layer model in under 1 s.
import { buildDependencyGraph, countFlops, partitionGroups } from '@klevel/groups';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';

const L = tfl.layers;

function deepResnet(blocks, channels, size = 32) {
  const x = tfl.input({ shape: [size, size, 3] });
  let h = L.conv2d({ filters: channels, kernelSize: 3, padding: 'same' }).apply(x);
  for (let i = 0; i < blocks; i++) {
    const a = L.reLU().apply(
      L.batchNormalization().apply(L.conv2d({ filters: channels, kernelSize: 3, padding: 'same' }).apply(h)),
    );
    const b = L.batchNormalization().apply(
      L.conv2d({ filters: channels, kernelSize: 3, padding: 'same' }).apply(a),
    );
    h = L.reLU().apply(L.add().apply([h, b]));
  }
  const y = L.dense({ units: 10 }).apply(L.globalAveragePooling2d({}).apply(h));
  return tfl.model({ inputs: x, outputs: y });
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function time(fn, runs) {
  fn(); // warm-up
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    samples.push(performance.now() - t0);
  }
  return { median: median(samples), max: Math.max(...samples) };
}

/** @param {{ runs?: number }} [options] */
export async function run(options = {}) {
  const runs = options.runs ?? 10;
  await tf.setBackend('cpu');
  const rows = [];
  for (const [name, model] of [
    ['ResNet-style, 24 blocks x 16 ch (50 weight layers)', deepResnet(24, 16)],
    ['ResNet-style, 24 blocks x 64 ch (50 weight layers)', deepResnet(24, 64)],
  ]) {
    let groups = 0;
    const graph = time(() => buildDependencyGraph(model), runs);
    const g = buildDependencyGraph(model);
    const filters = time(() => {
      groups = partitionGroups(model, 'filters', { graph: g }).groups.length;
    }, runs);
    const channels = time(() => partitionGroups(model, 'channels', { graph: g }), runs);
    const flops = time(() => countFlops(model), runs);
    const total = graph.median + filters.median;
    rows.push(
      `| ${name} | ${groups} | ${graph.median.toFixed(1)} | ${filters.median.toFixed(1)} | ${channels.median.toFixed(1)} | ${flops.median.toFixed(1)} | ${total.toFixed(1)} | ${total < 1000 ? 'yes' : 'NO'} |`,
    );
    model.dispose();
  }
  const markdown = [
    `Median of ${runs} runs after one warm-up, milliseconds, cpu backend.`,
    '',
    '| model | filter groups | buildDependencyGraph | partitionGroups filters | partitionGroups channels | countFlops | graph + filters | < 1 s |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
  return { title: '@klevel/groups: analysis speed', markdown };
}
