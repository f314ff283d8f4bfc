/**
 * The example app: wires the four steps (train, finalize + prune, benchmark, download) to the page, and exposes
 * `window.klevel` (tfjs, a JSON summary, disposeAll) for the headless-Chromium test in test/run.mjs.
 */
import type { LatencyReport } from '@klevel/latency';
import type { FashionMnistData } from '@klevel/zoo';
import * as tf from '@tensorflow/tfjs-core';
import { BACKENDS, type BackendName, type BackendStatus, probeBackends, useBackend } from './backends';
import { renderBench } from './bench-view';
import { benchmarkDenseVsPruned } from './benchmark';
import { groupsChart, lossChart } from './charts';
import { loadSubset } from './data';
import { byId, esc, ms, setStatus } from './dom';
import { downloadModel } from './download';
import { renderPrune } from './prune-view';
import { finalizeAndPrune, type PruneOutcome } from './pruning';
import { renderSamples } from './samples';
import './style.css';
import {
  type LayerBudget,
  medianStepMs,
  type StepEvent,
  type TrainedRun,
  type TrainingHandle,
  type TrainSettings,
  trainSparse,
} from './training';

type Stage = 'loading' | 'ready' | 'training' | 'trained' | 'pruning' | 'pruned' | 'benchmarking' | 'error';

interface State {
  backends: BackendStatus[];
  data?: { train: FashionMnistData; test: FashionMnistData };
  tensors?: { xs: tf.Tensor; ys: tf.Tensor; testXs: tf.Tensor; testYs: tf.Tensor };
  trainBackend?: BackendName;
  handle?: TrainingHandle;
  run?: TrainedRun;
  budgets: LayerBudget[];
  pruned?: PruneOutcome;
  bench: Record<string, LatencyReport>;
  errors: string[];
}

const state: State = { backends: [], budgets: [], bench: {}, errors: [] };
const loss = lossChart(byId('loss-chart'));
const groups = groupsChart(byId('groups-chart'));
const trainForm = byId<HTMLFormElement>('train-form');
const benchForm = byId<HTMLFormElement>('bench-form');
const buttons = {
  train: byId<HTMLButtonElement>('train-btn'),
  stop: byId<HTMLButtonElement>('stop-btn'),
  prune: byId<HTMLButtonElement>('prune-btn'),
  bench: byId<HTMLButtonElement>('bench-btn'),
  download: byId<HTMLButtonElement>('download-btn'),
};

function setStage(stage: Stage): void {
  document.body.dataset.stage = stage;
  const busy = stage === 'loading' || stage === 'training' || stage === 'pruning' || stage === 'benchmarking';
  buttons.train.disabled = busy || !state.data;
  buttons.stop.disabled = stage !== 'training';
  buttons.prune.disabled = busy || !state.run || state.pruned !== undefined;
  buttons.bench.disabled = busy || !state.pruned;
  buttons.download.disabled = busy || !state.pruned;
  for (const el of trainForm.elements) (el as HTMLInputElement).disabled = busy;
  showTensorCount();
}

/** The footer's live tensor count (tf.memory() needs an initialised backend). */
function showTensorCount(): void {
  if (state.backends.length) byId('footer-tensors').textContent = String(tf.memory().numTensors);
}

function fail(where: string, e: unknown, status?: HTMLElement): void {
  const message = e instanceof Error ? e.message : String(e);
  if (status) setStatus(status, `${where} failed (details below)`, 'bad');
  state.errors.push(`${where}: ${message}`);
  console.error(where, e);
  const toast = byId('toast');
  toast.textContent = `${where} failed: ${message}`;
  toast.hidden = false;
  setTimeout(() => {
    toast.hidden = true;
  }, 12000);
  setStage('error');
}

function renderChips(): void {
  byId('backend-chips').innerHTML = state.backends
    .map(
      (b) =>
        `<li class="chip ${b.available ? '' : 'off'}" title="${esc(b.detail)}"><span class="dot"></span><b>${b.name}</b><small>${esc(
          b.available ? b.detail : 'not available',
        )}</small></li>`,
    )
    .join('');
  const options = (recommended: BackendName) =>
    state.backends
      .filter((b) => b.available)
      .map((b) => {
        const note = b.name === 'cpu' ? ' (slow)' : b.name === recommended ? ' (recommended)' : '';
        return `<option value="${b.name}" ${b.name === recommended ? 'selected' : ''}>${b.name}${note}</option>`;
      })
      .join('');
  byId('train-backend').innerHTML = options('wasm');
  const gpu = state.backends.find((b) => b.available && (b.name === 'webgpu' || b.name === 'webgl'));
  byId('bench-backend').innerHTML = options(gpu?.name ?? 'wasm');
}

function readSettings(): TrainSettings & { backend: BackendName } {
  const f = new FormData(trainForm);
  const num = (k: string) => Number(f.get(k));
  return {
    backend: f.get('backend') as BackendName,
    model: f.get('model') as TrainSettings['model'],
    keep: num('keep'),
    lambda: num('lambda'),
    proxEpochs: num('proxEpochs'),
    hspgEpochs: num('hspgEpochs'),
    batchSize: num('batchSize'),
    learningRate: num('learningRate'),
    epsilon: 0.05,
    exactKBeforeHspg: f.get('exactKBeforeHspg') === 'on',
    trainLimit: Math.min(num('trainLimit'), state.data?.train.count ?? 2000),
    seed: 1,
  };
}

function disposeRun(): void {
  state.pruned?.pruned.dispose();
  state.pruned = undefined;
  state.run?.model.dispose();
  state.run = undefined;
  state.bench = {};
  const bench = byId('bench-result');
  bench.classList.add('empty');
  bench.querySelectorAll('.bench-section').forEach((s) => {
    s.remove();
  });
}

function disposeTensors(): void {
  if (state.tensors) tf.dispose(Object.values(state.tensors));
  state.tensors = undefined;
}

function makeTensors(limit: number): NonNullable<State['tensors']> {
  const { train, test } = state.data!;
  const all = train.toTensors();
  const xs = tf.slice(all.xs, 0, limit);
  const ys = tf.slice(all.ys, 0, limit);
  tf.dispose([all.xs, all.ys]);
  const t = test.toTensors();
  return { xs, ys, testXs: t.xs, testYs: t.ys };
}

function showStep(e: StepEvent, total: number, budgets: LayerBudget[]): void {
  loss.push(e);
  groups.push(e);
  const nonzero = budgets.reduce((s, b) => s + (e.nonzero[b.layer] ?? b.groups), 0);
  const all = budgets.reduce((s, b) => s + b.groups, 0);
  byId('kpi-phase').innerHTML =
    e.phase === 'hspg'
      ? '<span style="color:var(--hspg)">HSPG</span>'
      : '<span style="color:var(--prox)">prox-SGD</span>';
  byId('kpi-loss').textContent = e.loss.toFixed(3);
  byId('kpi-groups').innerHTML = `${nonzero}<small> / ${all}</small>`;
  byId('kpi-step').textContent = ms(e.ms);
  const done = e.step + 1;
  byId('train-bar').style.width = `${Math.min(100, (100 * done) / total).toFixed(1)}%`;
  byId('train-bar').parentElement!.classList.toggle('hspg', e.phase === 'hspg');
  setStatus(byId('train-status'), `epoch ${e.epoch + 1} · batch ${done} / ${total}`);
  showTensorCount();
}

async function onTrain(): Promise<void> {
  const s = readSettings();
  disposeRun();
  disposeTensors();
  setStage('training');
  setStatus(byId('prune-status'), 'Train first.');
  try {
    const detail = await useBackend(s.backend);
    state.trainBackend = s.backend;
    state.tensors = makeTensors(s.trainLimit);
    const total = Math.ceil(s.trainLimit / s.batchSize) * (s.proxEpochs + s.hspgEpochs);
    loss.reset();
    setStatus(byId('train-status'), `training on ${s.backend} (${detail})…`);
    const handle = trainSparse(state.tensors.xs, state.tensors.ys, s, {
      onBudgets: (b) => {
        state.budgets = b;
        groups.reset(b);
      },
      onStep: (e) => showStep(e, total, state.budgets),
    });
    state.handle = handle;
    state.run = await handle.done;
    const r = state.run;
    const tail = r.stopped ? 'stopped' : 'done';
    setStatus(
      byId('train-status'),
      `${tail} in ${r.seconds.toFixed(1)} s · ${ms(medianStepMs(r.steps, 'prox-sgd'))} per prox-SGD step, ${ms(medianStepMs(r.steps, 'hspg'))} per HSPG step on ${s.backend}`,
      'good',
    );
    setStatus(byId('prune-status'), 'Ready.');
    setStage('trained');
  } catch (e) {
    fail('training', e, byId('train-status'));
  } finally {
    state.handle = undefined;
  }
}

async function onPrune(): Promise<void> {
  const run = state.run;
  const t = state.tensors;
  if (!run || !t) return;
  setStage('pruning');
  setStatus(byId('prune-status'), 'finalizing and pruning…');
  try {
    const out = await finalizeAndPrune(run.model, run.regularizer, t.testXs, t.testYs);
    state.pruned = out;
    groups.push({
      step: (run.steps.at(-1)?.step ?? 0) + 1,
      phase: run.steps.at(-1)?.phase ?? 'prox-sgd',
      epoch: run.steps.at(-1)?.epoch ?? 0,
      loss: Number.NaN,
      nonzero: Object.fromEntries(Object.entries(out.finalize.stats.layers).map(([k, v]) => [k, v.nonzero])),
      ms: 0,
    });
    renderPrune(byId('prune-result'), out, state.budgets);
    const eq = out.report.equivalence;
    setStatus(
      byId('prune-status'),
      eq ? `outputs equal (max rel. diff ${eq.maxRelativeDifference.toExponential(1)})` : 'pruned',
      'good',
    );
    setStatus(byId('bench-status'), 'Ready.');
    setStatus(byId('download-status'), `${out.report.total.paramsAfter.toLocaleString()} parameters`);
    setStage('pruned');
  } catch (e) {
    fail('pruning', e, byId('prune-status'));
  }
}

function parseBatchSizes(text: string): number[] {
  const sizes = text
    .split(/[\s,]+/)
    .filter(Boolean)
    .map(Number);
  if (!sizes.length || sizes.some((n) => !Number.isInteger(n) || n < 1 || n > 1024)) {
    throw new RangeError(`batch sizes must be integers in 1..1024 separated by commas, got "${text}"`);
  }
  return sizes;
}

async function onBench(): Promise<void> {
  const run = state.run;
  const out = state.pruned;
  if (!run || !out) return;
  setStage('benchmarking');
  const f = new FormData(benchForm);
  const backend = f.get('backend') as BackendName;
  try {
    const batchSizes = parseBatchSizes(String(f.get('batchSizes')));
    setStatus(byId('bench-status'), `measuring on ${backend}…`);
    const report = await benchmarkDenseVsPruned(run.model, out.pruned, {
      backend,
      batchSizes,
      runs: Number(f.get('runs')),
      onProgress: (e) =>
        setStatus(
          byId('bench-status'),
          `${backend} · batch ${e.batchSize} · ${e.phase} ${e.done} / ${e.total}`,
        ),
    });
    state.bench[backend] = report;
    const detail = state.backends.find((b) => b.name === backend)?.detail ?? '';
    renderBench(byId('bench-result'), report, detail);
    setStatus(byId('bench-status'), `done on ${backend}`, 'good');
    setStage('pruned');
  } catch (e) {
    fail('benchmark', e, byId('bench-status'));
  }
}

async function onDownload(): Promise<void> {
  if (!state.pruned) return;
  try {
    const { bytes } = await downloadModel(state.pruned.pruned);
    setStatus(
      byId('download-status'),
      `saved klevel-pruned.json + klevel-pruned.weights.bin (${(bytes / 1024).toFixed(0)} KB)`,
      'good',
    );
  } catch (e) {
    fail('download', e, byId('download-status'));
  }
}

/** A JSON view of what the page did, for the browser test and for anyone curious (window.klevel.summary()). */
function summary(): unknown {
  const run = state.run;
  const p = state.pruned;
  return {
    stage: document.body.dataset.stage,
    errors: state.errors,
    tensors: tf.memory().numTensors,
    backends: state.backends,
    training: run && {
      backend: state.trainBackend,
      seconds: run.seconds,
      stopped: run.stopped,
      steps: run.steps.length,
      phases: {
        proxSgd: run.steps.filter((s) => s.phase === 'prox-sgd').length,
        hspg: run.steps.filter((s) => s.phase === 'hspg').length,
      },
      medianStepMs: { proxSgd: medianStepMs(run.steps, 'prox-sgd'), hspg: medianStepMs(run.steps, 'hspg') },
      firstLoss: run.steps[0]?.loss,
      lastLoss: run.steps.at(-1)?.loss,
      budgets: state.budgets,
      nonzero: run.stats.total.nonzero,
    },
    prune: p && {
      finalize: { before: p.finalize.nonzeroBefore, after: p.finalize.nonzeroAfter },
      equivalence: p.report.equivalence,
      testMaxAbsDiff: p.testMaxAbsDiff,
      accuracy: p.accuracy,
      params: { before: p.report.total.paramsBefore, after: p.report.total.paramsAfter },
      macs: { before: p.report.total.macsBefore, after: p.report.total.macsAfter },
    },
    bench: Object.fromEntries(
      Object.entries(state.bench).map(([b, r]) => [
        b,
        r.results.map((x) => ({
          model: x.model,
          batchSize: x.batchSize,
          medianMs: x.median,
          speedup: x.speedup,
          pairedSpeedup: x.pairedSpeedup,
          runs: x.timesMs.length,
        })),
      ]),
    ),
  };
}

/** Frees every tensor the app holds (the test checks that tf.memory().numTensors returns to its start value). */
function disposeAll(): number {
  disposeRun();
  disposeTensors();
  setStage(state.data ? 'ready' : 'loading');
  return tf.memory().numTensors;
}

declare global {
  interface Window {
    klevel: {
      tf: typeof tf;
      summary: typeof summary;
      disposeAll: typeof disposeAll;
      backends: readonly string[];
    };
  }
}
window.klevel = { tf, summary, disposeAll, backends: BACKENDS };

async function init(): Promise<void> {
  setStage('loading');
  byId('footer-tf').textContent = `tfjs ${tf.version_core}`;
  const keep = trainForm.elements.namedItem('keep') as HTMLInputElement;
  const showKeep = () => {
    byId('keep-out').textContent = `${Math.round(100 * Number(keep.value))}%`;
  };
  keep.addEventListener('input', showKeep);
  showKeep();
  buttons.train.addEventListener('click', () => void onTrain());
  buttons.stop.addEventListener('click', () => state.handle?.stop());
  buttons.prune.addEventListener('click', () => void onPrune());
  buttons.bench.addEventListener('click', () => void onBench());
  buttons.download.addEventListener('click', () => void onDownload());
  try {
    state.backends = await probeBackends();
    renderChips();
    await useBackend('wasm');
    const [train, test] = await Promise.all([loadSubset('train'), loadSubset('test')]);
    state.data = { train, test };
    renderSamples(byId('samples'), train);
    byId('data-note').textContent =
      `Fashion-MNIST subset from @klevel/zoo: ${train.count.toLocaleString()} training and ${test.count} test images, 10 classes.`;
    setStatus(byId('train-status'), 'Ready.');
    setStage('ready');
  } catch (e) {
    fail('start-up', e, byId('train-status'));
  }
}

void init();
