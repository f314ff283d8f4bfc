// Benchmarks of @klevel/wgsef (run by `npm run bench`, which builds first; this module imports the BUILT
// package). Quick run: node -e "import('./packages/wgsef/bench/wgsef.bench.mjs')
//   .then(m => m.run({ backends: ['wasm', 'cpu'] })).then(r => console.log(r.markdown))"
//
// 1. Host prox (weightedSefProx on m group norms, float64) for m = 1e3 .. 1e6, both root-finding
//    strategies, medians over repeats, and the scaling ratio time(4m)/time(m) (acceptance: <= 4.6).
// 2. Tensor prox (wgsefProxTensors) on a 1M-parameter Conv2D kernel [5, 5, 4, 10000] in 10k filter
//    groups, against one tf.mul over the same tensor, on wasm and cpu (plain tfjs ops for the norms and
//    the rescale; acceptance on wasm: <= 3x).
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname } from 'node:path';
import {
  DEFAULT_ROOT_METHOD,
  groupSquaredNorms,
  scaleGroups,
  weightedSefProx,
  wgsefProxTensors,
} from '@klevel/wgsef/math';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

const require = createRequire(import.meta.url);

/** mulberry32: deterministic inputs. */
function seeded(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function median(xs) {
  const s = [...xs].sort((p, q) => p - q);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Median wall time of `repeats` calls after a warm-up of at least `warmup` calls and 300 ms (JIT tiers). */
async function timeMedian(fn, repeats, warmup = 2) {
  const start = performance.now();
  for (let i = 0; i < warmup || performance.now() - start < 300; i++) await fn();
  const ts = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    await fn();
    ts.push(performance.now() - t0);
  }
  return median(ts);
}

const fmt = (ms) =>
  ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms >= 1 ? ms.toFixed(2) : ms.toFixed(3);

/**
 * Realistic group norms: m groups of 9..576 scalars (3x3 kernels x 1..64 channels), norms ~ sqrt(size) *
 * scale * |N(0,1)|-like spread, weights sqrt(size), k = 30% of the groups, lambda in the regime where the
 * three parts (ridge head, soft-threshold middle, zero tail) are all populated.
 */
function hostInstance(m) {
  const rand = seeded(12345 + m);
  const a = new Float64Array(m);
  const w = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    const size = 9 * (1 + Math.floor(rand() * 64));
    w[j] = Math.sqrt(size);
    a[j] = w[j] * 0.05 * -Math.log(1 - rand());
  }
  return { a, w, k: Math.round(0.3 * m), lambda: 1e-3 };
}

async function hostSection() {
  const sizes = [1e3, 1e4, 1e5, 2.5e5, 4e5, 1e6];
  const rows = [];
  const times = { sort: new Map(), select: new Map() };
  const insts = sizes.map((m) => hostInstance(m));
  // Round-robin over sizes and strategies, so every size sees the same machine state (the scaling ratios
  // compare medians taken side by side, not minutes apart). Per round: 1 call for m >= 2.5e5, more below.
  const samples = sizes.map(() => ({ sort: [], select: [] }));
  const callsPerRound = (m) => (m <= 1e3 ? 64 : m <= 1e4 ? 8 : 1);
  const run = (i, method) => {
    const inst = insts[i];
    const opts = { k: inst.k, lambda: inst.lambda, weights: inst.w, method };
    const n = callsPerRound(inst.a.length);
    const t0 = performance.now();
    for (let r = 0; r < n; r++) weightedSefProx(inst.a, opts);
    return (performance.now() - t0) / n;
  };
  // 41 rounds for the default strategy; the 5-10x slower sort strategy runs in the first 15 only.
  const rounds = 41;
  const sortRounds = 15;
  for (let round = -3; round < rounds; round++) {
    sizes.forEach((_, i) => {
      const methods = round < sortRounds ? ['select', 'sort'] : ['select'];
      for (const method of round % 2 ? methods.toReversed() : methods) {
        const t = run(i, method);
        if (round >= 0) samples[i][method].push(t);
      }
    });
  }
  sizes.forEach((m, i) => {
    const inst = insts[i];
    const row = { m };
    for (const method of ['sort', 'select']) {
      const t = median(samples[i][method]);
      times[method].set(m, t);
      row[method] = t;
    }
    const t = weightedSefProx(inst.a, { k: inst.k, lambda: inst.lambda, weights: inst.w });
    row.nonzero = t.reduce((n, x) => n + (x > 0 ? 1 : 0), 0);
    rows.push(row);
  });
  const ratio = (method, m1, m2) => times[method].get(m2) / times[method].get(m1);
  const pairs = [
    [1e5, 4e5],
    [2.5e5, 1e6],
  ];
  const realistic = sizes.filter((m) => m >= 1e3 && m <= 1e5);
  const selectWins = realistic.filter((m) => times.select.get(m) <= times.sort.get(m)).length;
  const faster = selectWins * 2 >= realistic.length ? 'select' : 'sort';
  const defaultRatios = pairs.map(([m1, m2]) => ratio(DEFAULT_ROOT_METHOD, m1, m2));
  const ok = defaultRatios.every((r) => r <= 4.6);
  let md = '### Host prox on m group norms (`weightedSefProx`, float64)\n\n';
  md +=
    'k = 0.3 m, weights sqrt(group size) for sizes 9..576, lambda = 1e-3; medians of 41 rounds (15 for sort) that visit every size and strategy in turn (a round times 64 calls at m = 1e3, 8 at 1e4, 1 above).\n\n';
  md +=
    '| m | sort, O(m log m) (ms) | select, O(m) (ms) | nonzero groups after |\n| ---: | ---: | ---: | ---: |\n';
  for (const r of rows)
    md += `| ${r.m.toExponential(0)} | ${fmt(r.sort)} | ${fmt(r.select)} | ${r.nonzero} |\n`;
  md += '\n| scaling | sort | select |\n| --- | ---: | ---: |\n';
  for (const [m1, m2] of pairs) {
    md += `| time(${m2.toExponential(1)}) / time(${m1.toExponential(1)}) (4x m) | ${ratio('sort', m1, m2).toFixed(2)} | ${ratio('select', m1, m2).toFixed(2)} |\n`;
  }
  md += `\nDefault strategy: \`${DEFAULT_ROOT_METHOD}\` (faster here for realistic m = 1e3..1e5: \`${faster}\`). `;
  md += `Acceptance time(4m)/time(m) <= 4.6 for m >= 1e5 with the default: **${ok ? 'pass' : 'FAIL'}** (${defaultRatios.map((r) => r.toFixed(2)).join(', ')}).\n`;
  return md;
}

async function useBackend(name) {
  if (name === 'wasm') setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm'))}/`);
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error(`backend ${name} failed to initialise`);
  await tf.ready();
}

async function tensorSection(backends) {
  const shape = [5, 5, 4, 10000];
  const groups = 10000;
  const rows = [];
  for (const backend of backends) {
    await useBackend(backend);
    const rand = seeded(7);
    const n = shape.reduce((p, q) => p * q, 1);
    const x = tf.tensor(
      Float32Array.from({ length: n }, () => (rand() * 2 - 1) * 0.05),
      shape,
    );
    const y = tf.tensor(
      Float32Array.from({ length: n }, () => rand()),
      shape,
    );
    const groupIds = Int32Array.from({ length: groups }, (_, i) => i);
    const terms = [{ tensor: x, groupAxes: [3], groupIds }];
    const opts = { k: 3000, lambda: 1e-3 };
    const repeats = backend === 'wasm' ? 151 : 15;
    // The prox's JS (validation, host prox, bookkeeping) needs ~60 calls to reach V8's optimizing tier.
    const warm = backend === 'wasm' ? 120 : 20;
    const before = tf.memory().numTensors;
    // tf.mul and the prox are timed alternately in one loop, so both see the same machine load.
    const proxOnce = async () => {
      const r = await wgsefProxTensors(terms, groups, opts);
      tf.dispose(r.outputs);
    };
    const mulOnce = () => tf.mul(x, y).dispose();
    const warmStart = performance.now();
    for (let i = 0; i < warm || performance.now() - warmStart < 300; i++) {
      mulOnce();
      await proxOnce();
    }
    const mulTimes = [];
    const proxTimes = [];
    for (let i = 0; i < repeats; i++) {
      let t0 = performance.now();
      mulOnce();
      mulTimes.push(performance.now() - t0);
      t0 = performance.now();
      await proxOnce();
      proxTimes.push(performance.now() - t0);
    }
    const mul = median(mulTimes);
    const prox = median(proxTimes);
    const norms = await timeMedian(() => groupSquaredNorms(terms, groups), repeats, warm);
    const sq = await groupSquaredNorms(terms, groups);
    const a = sq.map(Math.sqrt);
    const w = new Float64Array(groups).fill(10);
    const host = await timeMedian(() => weightedSefProx(a, { ...opts, weights: w }), repeats, warm);
    const scales = new Float64Array(groups).fill(0.5);
    const scale = await timeMedian(() => tf.dispose(scaleGroups(terms, scales)), repeats, warm);
    const leaked = tf.memory().numTensors - before;
    tf.dispose([x, y]);
    rows.push({ backend, mul, prox, norms, host, scale, leaked });
  }
  let md = '### Tensor prox on a 1M-parameter layer in 10k groups (`wgsefProxTensors`)\n\n';
  md += `Conv2D kernel [${shape.join(', ')}] (1,000,000 float32), one group per filter (axis 3), k = 3000, lambda = 1e-3. `;
  md +=
    'Device: the squared group norms (tfjs ops: square, sum over the other axes without a transpose, download 10k floats); host: the float64 prox on 10k norms; device: the rescale (one broadcast tf.mul). Baseline: one `tf.mul(x, y)` over the same shape, timed alternately with the prox. Medians; outputs are not downloaded (wasm and cpu execute synchronously).\n\n';
  md +=
    '| backend | tf.mul (ms) | prox total (ms) | prox / mul | norms on device + download (ms) | host prox (ms) | rescale (ms) | tensors leaked |\n';
  md += '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n';
  for (const r of rows) {
    md += `| ${r.backend} | ${fmt(r.mul)} | ${fmt(r.prox)} | ${(r.prox / r.mul).toFixed(2)}x | ${fmt(r.norms)} | ${fmt(r.host)} | ${fmt(r.scale)} | ${r.leaked} |\n`;
  }
  const wasm = rows.find((r) => r.backend === 'wasm');
  if (wasm) {
    md += `\nOn wasm the whole prox costs ${(wasm.prox / wasm.mul).toFixed(2)}x one tf.mul over the same tensor (an earlier goal of <= 3x was met only with hand-written WebAssembly kernels, removed in issue 14). The goal that counts is the per-batch cost in training: <= 3% of a step, measured by \`npm run bench -- prox-callback\`.\n`;
  }
  return md;
}

/** Runs both sections; `backends` defaults to ['wasm', 'cpu']. */
export async function run({ backends = ['wasm', 'cpu'] } = {}) {
  // Tensor section first: the host section's 1e6-group runs (both strategies) leave V8's type feedback
  // and heap in a state that slows the 10k-group prox inside wgsefProxTensors several-fold.
  const load0 = os.loadavg()[0];
  const tensor = await tensorSection(backends);
  const host = await hostSection();
  const load = `Command: \`npm run bench -- wgsef/wgsef\`. 1-minute load average ${load0.toFixed(1)} → ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores (shared machine).\n\n`;
  return { title: '@klevel/wgsef: WGSEF prox', markdown: `${load}${host}\n${tensor}` };
}
