/** A realistic, hand-written set of summary inputs for the pure summary/report tests. */
import type { SummaryInputs } from '../summary';
import type { EpochRecord } from '../train';

function curve(phase: (e: number) => EpochRecord['phase'], sparse: boolean): EpochRecord[] {
  return [1, 2, 3, 4].map((epoch) => ({
    epoch,
    phase: phase(epoch),
    loss: 1 / epoch,
    acc: 0.7 + epoch * 0.04,
    valAcc: 0.68 + epoch * 0.04,
    learningRate: 0.05 / epoch,
    groupSparsity: sparse ? Math.min(0.8, epoch * 0.25) : null,
  }));
}

export function summaryInputs(overrides: Partial<SummaryInputs> = {}): SummaryInputs {
  const history = [];
  for (let epoch = 0; epoch < 4; epoch++) {
    for (let batch = 0; batch < 10; batch++) {
      const t = (epoch * 10 + batch) / 40;
      history.push({
        epoch,
        batch,
        layers: {
          conv1: Math.round(20 - 16 * t),
          conv2: Math.round(50 - 38 * t),
          fc1: Math.round(500 - 390 * t),
        },
      });
    }
  }
  history.push({ epoch: 3, batch: -1, layers: { conv1: 4, conv2: 10, fc1: 100 }, finalized: true });
  return {
    command: 'npm run demo',
    date: new Date('2026-11-25T12:00:00Z'),
    environment: { node: 'v20.20.2', platform: 'linux/x64', cpus: 2, cpuModel: 'Test CPU', tfjs: '4.22.0' },
    backend: { name: 'wasm', reason: 'wasm with klevel training kernels' },
    data: { source: 'full', dir: '/data', train: 6144, val: 1000, test: 10000, pool: 60000 },
    settings: { epochs: 4, keep: 0.2 },
    accuracy: { dense: 0.8812, prunedBeforeFineTune: 0.8365, pruned: 0.8761 },
    layerTotals: { conv1: 20, conv2: 50, fc1: 500 },
    requested: { conv1: 4, conv2: 10, fc1: 100 },
    nonzeroBeforeFinalize: { conv1: 4, conv2: 12, fc1: 110 },
    nonzeroAfterPhase1: { conv1: 6, conv2: 17, fc1: 130 },
    kept: { conv1: 4, conv2: 10, fc1: 100 },
    prunedWidths: { conv1: 4, conv2: 10, fc1: 100 },
    costs: { paramsBefore: 431080, paramsAfter: 18000, macsBefore: 2293000, macsAfter: 140000 },
    equivalence: { maxRelativeDifference: 1e-7, tolerance: 1e-4, samples: 68 },
    latency: {
      clock: 'cpu',
      runs: 30,
      cells: [
        {
          batchSize: 1,
          backend: 'wasm',
          denseMs: 1.2,
          prunedMs: 0.4,
          speedup: 3,
          pairedSpeedup: 3.1,
          macRatio: 16.4,
          efficiency: 3 / 16.4,
          noisy: false,
        },
        {
          batchSize: 64,
          backend: 'wasm',
          denseMs: 22,
          prunedMs: 2,
          speedup: 11,
          pairedSpeedup: 10.8,
          macRatio: 16.4,
          efficiency: 11 / 16.4,
          noisy: true,
        },
      ],
    },
    curves: { dense: curve(() => 'dense', false), sparse: curve((e) => (e <= 3 ? 'wgsef' : 'hspg'), true) },
    history,
    batchesPerEpoch: 10,
    phase1Epochs: 3,
    epochs: { dense: 8, prox: 3, hspg: 3, finetune: 2 },
    timings: { trainDense: 50, trainSparse: 60, total: 130 },
    outputs: {
      dir: '/out',
      report: '/out/report.html',
      summary: '/out/summary.json',
      model: '/out/pruned/model.json',
    },
    ...overrides,
  };
}
