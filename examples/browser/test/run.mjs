#!/usr/bin/env node
/**
 * The browser test: builds the example app with Vite (failing on any warning from klevel), serves dist/ on
 * 127.0.0.1, and drives the page in headless Chromium the way a user would: train (WGSEF prox-SGD, then HSPG),
 * finalize and prune (outputs must be equal), benchmark dense vs pruned on webgl, wasm and cpu, download the
 * pruned model, and check that no tensor leaks (tf.memory().numTensors read from the page).
 *
 *   node test/run.mjs [--skip-build] [--out DIR] [--measure train,latency] [--webgpu] [--epochs 2,1] [--images 1024] [--timeout 480]
 *
 * --measure train,latency also times training steps on every backend and runs longer benchmarks (the numbers of
 * docs/guides/browser.md).
 * Everything is bounded: each wait has a timeout, and the whole run is killed after --timeout seconds.
 */
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { preview } from 'vite';
import { launch } from './chromium.mjs';
import { esbuildBundleInPage } from './esbuild-page.mjs';
import { APP_ROOT, viteBuild } from './vite-build.mjs';

const { values: args } = parseArgs({
  options: {
    'skip-build': { type: 'boolean', default: false },
    out: { type: 'string', default: resolve(APP_ROOT, '../../out/browser') },
    // for docs/guides/browser.md: 'train' times training steps on every backend, 'latency' runs longer
    // benchmarks (batch 1 and 32, 30 runs); both: --measure train,latency
    measure: { type: 'string', default: '' },
    // also enable WebGPU (SwiftShader) and benchmark on it (slow in software: batch 1 only)
    webgpu: { type: 'boolean', default: false },
    timeout: { type: 'string', default: '480' },
    // training of the test: prox-SGD epochs, HSPG epochs, images (the app's defaults are 3, 2, 2000)
    epochs: { type: 'string', default: '2,1' },
    images: { type: 'string', default: '1024' },
  },
});
const OUT = resolve(args.out);
const DOWNLOADS = join(OUT, 'downloads');
rmSync(OUT, { recursive: true, force: true });
mkdirSync(DOWNLOADS, { recursive: true });

const checks = [];
const loadAtStart = loadavg()[0];
const t0 = performance.now();
function log(msg) {
  console.log(`[browser-test +${((performance.now() - t0) / 1000).toFixed(1)}s] ${msg}`);
}
function check(name, ok, detail = '') {
  checks.push({ name, ok: Boolean(ok), detail });
  console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? ` (${detail})` : ''}`);
}

let cleanup = async () => {};
/** The page, for a screenshot when a step fails. */
let failurePage;
const killer = setTimeout(async () => {
  console.error(`browser test: timed out after ${args.timeout} s`);
  await cleanup();
  process.exit(2);
}, Number(args.timeout) * 1000);

async function stage(page, wanted, timeout) {
  await page.waitForFunction(
    (w) => w.includes(document.body.dataset.stage) || document.body.dataset.stage === 'error',
    wanted,
    { timeout, polling: 250 },
  );
  const s = await page.evaluate(() => window.klevel.summary());
  if (s.stage === 'error') throw new Error(`the page reported: ${s.errors.join('; ')}`);
  return s;
}

async function shot(page, name) {
  const path = join(OUT, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  log(`screenshot ${path}`);
}

/**
 * Clicks a button through the DOM once it is enabled. (page.click also waits for the page to settle after the
 * click, which a page busy training on webgl may not do for many seconds.)
 */
async function press(page, id, timeout = 30_000) {
  await page.waitForFunction((i) => document.getElementById(i)?.disabled === false, id, {
    timeout,
    polling: 100,
  });
  await page.evaluate((i) => document.getElementById(i).click(), id);
}

async function setTraining(page, settings) {
  for (const [name, value] of Object.entries(settings)) {
    const sel = `#train-form [name="${name}"]`;
    if (name === 'backend' || name === 'model') await page.selectOption(sel, value);
    else await page.fill(sel, String(value));
  }
}

async function train(page, settings, timeout) {
  await setTraining(page, settings);
  await press(page, 'train-btn');
  return stage(page, ['trained'], timeout);
}

async function bench(page, backend, batchSizes, runs, timeout) {
  await page.selectOption('#bench-backend', backend);
  await page.fill('#bench-form [name="batchSizes"]', batchSizes);
  await page.fill('#bench-form [name="runs"]', String(runs));
  const before = await page.evaluate(() => window.klevel.tf.memory().numTensors);
  await press(page, 'bench-btn');
  await page.waitForFunction(
    (b) =>
      document.body.dataset.stage === 'error' ||
      (document.body.dataset.stage === 'pruned' && window.klevel.summary().bench[b]),
    backend,
    { timeout, polling: 250 },
  );
  const s = await page.evaluate(() => window.klevel.summary());
  if (s.stage === 'error') throw new Error(`benchmark on ${backend}: ${s.errors.join('; ')}`);
  const after = await page.evaluate(() => window.klevel.tf.memory().numTensors);
  return { rows: s.bench[backend], leaked: after - before };
}

function speedups(rows) {
  return rows
    .filter((r) => r.model === 'pruned')
    .map((r) => {
      const dense = rows.find((d) => d.model === 'dense' && d.batchSize === r.batchSize);
      return `batch ${r.batchSize}: dense ${dense?.medianMs.toFixed(2)} ms, pruned ${r.medianMs.toFixed(2)} ms, ${r.speedup.toFixed(2)}x (paired ${r.pairedSpeedup.toFixed(2)}x)`;
    })
    .join('; ');
}

/** Training images per backend for --measure: enough batches for a median, few on the slow software paths. */
const MEASURE_IMAGES = { wasm: 768, webgl: 320, webgpu: 320, cpu: 320 };

async function measureTraining(page, backends) {
  const out = {};
  for (const backend of backends) {
    const images = MEASURE_IMAGES[backend] ?? 320;
    const settings = { backend, proxEpochs: 1, hspgEpochs: 1, trainLimit: images, batchSize: 64 };
    log(`measuring training steps on ${backend} (${images} images, batch 64, 1 + 1 epochs)`);
    const s = await train(page, settings, 900_000);
    out[backend] = { ...s.training.medianStepMs, steps: s.training.steps, batchSize: 64 };
    log(
      `  ${backend}: prox-SGD ${s.training.medianStepMs.proxSgd.toFixed(1)} ms/step, HSPG ${s.training.medianStepMs.hspg.toFixed(1)} ms/step`,
    );
  }
  return out;
}

async function main() {
  if (!args['skip-build']) {
    log('vite build');
    const { klevel, other, ms } = await viteBuild();
    for (const w of other) console.log(`  (vite warning, not from klevel) ${w.split('\n')[0]}`);
    for (const w of klevel) console.log(`  klevel warning: ${w.split('\n')[0]}`);
    check(
      'vite build: no warnings from klevel',
      klevel.length === 0,
      `${klevel.length} klevel, ${other.length} other, ${(ms / 1000).toFixed(1)} s`,
    );
  }
  const server = await preview({
    root: APP_ROOT,
    logLevel: 'warn',
    preview: { host: '127.0.0.1', port: 4173, strictPort: false },
  });
  const url = server.resolvedUrls?.local[0];
  if (!url?.startsWith('http://127.0.0.1')) throw new Error(`vite preview is not on 127.0.0.1: ${url}`);
  log(`serving dist/ at ${url}`);
  const browser = await launch({ downloads: DOWNLOADS, webgpu: args.webgpu });
  cleanup = async () => {
    await browser.close();
    await new Promise((r) => server.httpServer.close(r));
  };
  const page = await browser.context.newPage();
  failurePage = page;
  const consoleErrors = [];
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));

  await page.goto(url, { timeout: 30_000 });
  const ready = await stage(page, ['ready'], 60_000);
  const available = ready.backends.filter((b) => b.available).map((b) => b.name);
  log(
    `backends: ${ready.backends.map((b) => `${b.name}=${b.available ? b.detail : `no (${b.detail})`}`).join(', ')}`,
  );
  for (const b of ['webgl', 'wasm', 'cpu'])
    check(`backend ${b} initialises in Chromium`, available.includes(b));
  const baseline = ready.tensors;
  await shot(page, '1-ready');

  const measure = new Set(args.measure.split(',').filter(Boolean));
  const measured = measure.has('train')
    ? await measureTraining(
        page,
        ['wasm', 'webgl', 'cpu', ...(args.webgpu ? ['webgpu'] : [])].filter((b) => available.includes(b)),
      )
    : undefined;

  log('training on wasm: WGSEF prox-SGD, then HSPG');
  const [proxEpochs, hspgEpochs] = args.epochs.split(',').map(Number);
  const settings = {
    backend: 'wasm',
    model: 'lenet5-caffe',
    proxEpochs,
    hspgEpochs,
    trainLimit: Number(args.images),
    batchSize: 64,
  };
  const trained = await train(page, settings, 180_000);
  const t = trained.training;
  log(
    `trained in ${t.seconds.toFixed(1)} s: ${t.phases.proxSgd} prox-SGD + ${t.phases.hspg} HSPG steps, loss ${t.firstLoss.toFixed(3)} -> ${t.lastLoss.toFixed(3)}`,
  );
  check('prox-SGD phase ran (model.fit + proxCallback)', t.phases.proxSgd > 0, `${t.phases.proxSgd} steps`);
  check('HSPG phase ran (model.fit with the hspg optimizer)', t.phases.hspg > 0, `${t.phases.hspg} steps`);
  check(
    'loss fell and stayed finite',
    Number.isFinite(t.lastLoss) && t.lastLoss < t.firstLoss,
    `${t.firstLoss.toFixed(3)} -> ${t.lastLoss.toFixed(3)}`,
  );
  await shot(page, '2-trained');

  await press(page, 'prune-btn');
  const pruned = await stage(page, ['pruned'], 60_000);
  const p = pruned.prune;
  const k = t.budgets.reduce((s, b) => s + b.keep, 0);
  check(
    'finalize keeps exactly k groups',
    p.finalize.after === k,
    `${p.finalize.before} -> ${p.finalize.after}, k = ${k}`,
  );
  check(
    'prune: outputs equal',
    p.equivalence && p.equivalence.maxRelativeDifference <= p.equivalence.tolerance,
    `max rel. diff ${p.equivalence?.maxRelativeDifference.toExponential(2)}, test-set max |diff| ${p.testMaxAbsDiff.toExponential(2)}`,
  );
  check(
    'prune: smaller model',
    p.params.after < p.params.before,
    `${p.params.before} -> ${p.params.after} params, ${p.macs.before} -> ${p.macs.after} MACs`,
  );
  check(
    'pruned accuracy equals the sparse model accuracy',
    Math.abs(p.accuracy.pruned - p.accuracy.sparse) < 1e-9,
    `${(100 * p.accuracy.pruned).toFixed(1)}%`,
  );

  const benchRuns = measure.has('latency') ? 30 : 10;
  const batchSizes = measure.has('latency') ? '1, 32' : '1, 16';
  const benchTimeout = measure.has('latency') ? 900_000 : 120_000;
  const benchmarks = {};
  for (const backend of ['webgl', 'wasm', 'cpu', ...(args.webgpu ? ['webgpu'] : [])]) {
    log(`benchmarkLatency on ${backend}`);
    try {
      const sizes = backend === 'webgpu' ? '1' : batchSizes;
      const { rows, leaked } = await bench(
        page,
        backend,
        sizes,
        benchRuns,
        backend === 'webgpu' ? 300_000 : benchTimeout,
      );
      benchmarks[backend] = rows;
      check(
        `benchmarkLatency on ${backend}`,
        rows.length > 0 && rows.every((r) => r.medianMs > 0),
        speedups(rows),
      );
      check(`no tensor leak in the ${backend} benchmark`, leaked === 0, `${leaked} tensors`);
    } catch (e) {
      check(`benchmarkLatency on ${backend}`, false, String(e.message ?? e).split('\n')[0]);
      await page.evaluate(() => {
        document.body.dataset.stage = 'pruned';
      });
    }
  }
  await shot(page, '3-benchmarked');
  // the picture of docs/guides/browser.md (a JPEG is a third of the PNG's size)
  await page.screenshot({ path: join(OUT, 'app.jpg'), fullPage: true, type: 'jpeg', quality: 82 });

  const downloads = [];
  const onDownload = (d) => downloads.push(d);
  page.on('download', onDownload);
  await press(page, 'download-btn');
  await page.waitForFunction(
    () => document.querySelector('#download-status')?.classList.contains('good'),
    null,
    { timeout: 20_000 },
  );
  const deadline = Date.now() + 10_000;
  while (downloads.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  for (const d of downloads) await d.saveAs(join(DOWNLOADS, d.suggestedFilename()));
  const files = readdirSync(DOWNLOADS);
  const json = files.find((f) => f.endsWith('.json'));
  let downloadDetail = files.join(', ');
  let downloadOk = false;
  if (json) {
    const manifest = JSON.parse(readFileSync(join(DOWNLOADS, json), 'utf8'));
    const specs = manifest.weightsManifest.flatMap((g) => g.weights);
    const expected = specs.reduce((s, w) => s + w.shape.reduce((a, b) => a * b, 1) * 4, 0);
    const bin = manifest.weightsManifest[0].paths[0];
    const size = readFileSync(join(DOWNLOADS, bin)).length;
    downloadOk = size === expected && expected / 4 === p.params.after;
    downloadDetail = `${json} + ${bin}: ${size} bytes = ${expected / 4} float32 weights`;
  }
  check('download: model.json + weights.bin of the pruned model', downloadOk, downloadDetail);

  log('plain esbuild bundle of every default entry, loaded in a page');
  const bundle = await esbuildBundleInPage(browser.context, join(OUT, 'esbuild-app'));
  check(
    'esbuild --bundle --platform=browser (no plugins, no externals): every default entry evaluates in Chromium',
    bundle.loaded.length === bundle.names.length && bundle.errors.length === 0,
    `${bundle.loaded.length}/${bundle.names.length} packages, ${bundle.kb.toFixed(0)} KB with tfjs, not minified${bundle.errors.length ? `; ${bundle.errors[0]}` : ''}`,
  );

  const left = await page.evaluate(() => window.klevel.disposeAll());
  check(
    'no tensor leak: numTensors back to its start value after disposing the app state',
    left === baseline,
    `start ${baseline}, end ${left}`,
  );
  check('no errors in the page console', consoleErrors.length === 0, consoleErrors.slice(0, 3).join(' | '));

  const summary = {
    date: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model,
      loadAverage1m: { start: loadAtStart, end: loadavg()[0] },
      userAgent: await page.evaluate(() => navigator.userAgent),
    },
    url,
    settings,
    trained: t,
    prune: p,
    benchmarks,
    measuredTraining: measured,
    checks,
  };
  writeFileSync(join(OUT, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  log(`summary written to ${join(OUT, 'summary.json')}`);
  await cleanup();
}

let exitCode = 0;
try {
  await main();
} catch (e) {
  check(
    'browser test ran to the end',
    false,
    String(e?.stack ?? e)
      .split('\n')
      .slice(0, 3)
      .join(' '),
  );
  if (failurePage) {
    await failurePage.screenshot({ path: join(OUT, 'failure.png'), fullPage: true }).catch(() => {});
    const s = await failurePage.evaluate(() => window.klevel?.summary()).catch(() => undefined);
    console.log(`  page state at the failure: ${JSON.stringify({ stage: s?.stage, errors: s?.errors })}`);
  }
  await cleanup();
}
clearTimeout(killer);
const failed = checks.filter((c) => !c.ok).length;
if (failed) exitCode = 1;
console.log(
  `\nbrowser test: ${checks.length - failed} passed, ${failed} failed (${((performance.now() - t0) / 1000).toFixed(0)} s)`,
);
process.exit(exitCode);
