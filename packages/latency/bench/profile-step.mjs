// Per-kernel profile of one training step (`trainOnBatch`, momentum SGD, batch 64) on wasm with the klevel
// training kernels, for the models of the PyTorch comparison. Prints, per model, the kernels sorted by total
// time and the time outside kernels (tfjs-layers bookkeeping, the loss read-back, engine overhead).
// Usage (after `npm run build`):
//   node packages/latency/bench/profile-step.mjs [--threads N] [lenet5|lenet5Caffe|vgg|vggBn ...]
// (--threads: XNNPACK threads, useBestBackend({ wasmThreads: N }); default 1).
import { parseArgs } from 'node:util';
import { useBestBackend } from '@klevel/wasm-train/node';
import { lenet5, lenet5Caffe, loadFashionMnist, vggSmall } from '@klevel/zoo';
import * as tf from '@tensorflow/tfjs-core';

export const MODELS = {
  lenet5: () => lenet5({ seed: 1 }),
  lenet5Caffe: () => lenet5Caffe({ seed: 1 }),
  vgg: () => vggSmall({ seed: 1, batchNorm: false }),
  vggBn: () => vggSmall({ seed: 1, batchNorm: true }),
};

/** Profiles `steps` trainOnBatch calls after `warmup`; returns per-kernel ms (median over steps) and wall ms. */
export async function profileStep(build, xs, ys, { warmup = 3, steps = 5 } = {}) {
  const model = build();
  model.compile({ optimizer: tf.train.momentum(0.01, 0.9), loss: 'categoricalCrossentropy' });
  for (let i = 0; i < warmup; i++) await model.trainOnBatch(xs, ys);
  const perStep = [];
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    const info = await tf.profile(() => model.trainOnBatch(xs, ys));
    const wall = performance.now() - t0;
    const byKernel = new Map();
    for (const k of info.kernels) {
      // `<name>__op` records are tf.customGrad wrappers whose time includes their inner kernels: skip them.
      if (k.name.endsWith('__op')) continue;
      const ms = await k.kernelTimeMs;
      const e = byKernel.get(k.name) ?? { ms: 0, calls: 0 };
      e.ms += typeof ms === 'number' ? ms : 0;
      e.calls += 1;
      byKernel.set(k.name, e);
    }
    perStep.push({ wall, byKernel, calls: [...byKernel.values()].reduce((a, e) => a + e.calls, 0) });
  }
  // Un-profiled wall time too (profiling adds per-kernel cost).
  const plain = [];
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    await model.trainOnBatch(xs, ys);
    plain.push(performance.now() - t0);
  }
  model.dispose();
  const med = (a) => {
    const s = [...a].sort((p, q) => p - q);
    return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  };
  const names = [...perStep[0].byKernel.keys()];
  const kernels = names
    .map((name) => ({
      name,
      calls: perStep[0].byKernel.get(name).calls,
      ms: med(perStep.map((s) => s.byKernel.get(name)?.ms ?? 0)),
    }))
    .sort((a, b) => b.ms - a.ms);
  const kernelMs = med(perStep.map((s) => [...s.byKernel.values()].reduce((a, e) => a + e.ms, 0)));
  return {
    kernels,
    kernelMs,
    profiledWall: med(perStep.map((s) => s.wall)),
    wall: med(plain),
    calls: perStep[0].calls,
  };
}

async function main() {
  const { values, positionals } = parseArgs({
    options: { threads: { type: 'string', default: '1' } },
    allowPositionals: true,
  });
  const unknown = positionals.filter((m) => !(m in MODELS));
  if (unknown.length > 0) {
    throw new Error(`profile-step: unknown model ${unknown.join(', ')}; expected ${Object.keys(MODELS).join(', ')}`);
  }
  const chosen = await useBestBackend({ backend: 'wasm', wasmThreads: Number(values.threads) });
  console.log(chosen.reason);
  const data = await loadFashionMnist({ split: 'train', limit: 64 });
  const { xs, ys } = data.toTensors();
  const which = positionals.length ? positionals : Object.keys(MODELS);
  for (const name of which) {
    const p = await profileStep(MODELS[name], xs, ys);
    console.log(
      `\n## ${name}: wall ${p.wall.toFixed(1)} ms (profiled ${p.profiledWall.toFixed(1)}), kernels ${p.kernelMs.toFixed(1)} ms in ${p.calls} calls, outside ${(p.profiledWall - p.kernelMs).toFixed(1)} ms`,
    );
    for (const k of p.kernels)
      console.log(`${k.name.padEnd(28)} ${String(k.calls).padStart(4)} ${k.ms.toFixed(2).padStart(8)}`);
  }
  tf.dispose([xs, ys]);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
