/**
 * The demo's result as plain JSON (`summary.json`), built from the pipeline's measurements by a pure
 * function, and its terminal table (cli-table3).
 */
import Table from 'cli-table3';
import { formatInt, formatPercent, formatPoints, formatRatio } from './format';
import type { EpochRecord } from './train';

/** Groups of one regularized layer. */
export interface LayerGroups {
  layer: string;
  /** Groups (filters or neurons) in the dense layer. */
  total: number;
  /** k_l requested. */
  requested: number;
  /** Nonzero at the end of phase 1 (WGSEF prox-SGD), before any exact-k step. */
  nonzeroAfterPhase1: number | null;
  /** Nonzero before the exact-k finalize (after training). */
  nonzeroBeforeFinalize: number;
  /** Nonzero after finalize (what the pruned model keeps). */
  kept: number;
  /** Output channels / units of the pruned layer. */
  prunedWidth: number | null;
}

/** One latency cell: dense vs pruned at one batch size. */
export interface LatencyCell {
  batchSize: number;
  backend: string;
  denseMs: number;
  prunedMs: number;
  speedup: number;
  pairedSpeedup: number;
  macRatio: number | null;
  /** speedup / MAC ratio. */
  efficiency: number | null;
  noisy: boolean;
}

/** A point of the group-sparsity-over-time chart. */
export interface SparsityPoint {
  /** Fractional epoch (epoch + batch/batches). */
  epoch: number;
  phase: 'wgsef' | 'hspg' | 'finalize';
  /** Nonzero groups per layer. */
  layers: Record<string, number>;
}

/** Everything summary.json holds. */
export interface DemoSummary {
  title: string;
  command: string;
  date: string;
  environment: { node: string; platform: string; cpus: number; cpuModel: string; tfjs: string };
  backend: { name: string; reason: string };
  data: { source: 'full' | 'subset'; dir: string; train: number; val: number; test: number; pool: number };
  settings: Record<string, unknown>;
  accuracy: {
    dense: number;
    /** The pruned model right after pruning, before its fine-tune. */
    prunedBeforeFineTune: number;
    /** The pruned model after its fine-tune (the result). */
    pruned: number;
    /** dense - pruned, in percentage points. */
    dropPoints: number;
    /** The sparse model just before the exact-k finalize (null when not measured): the cut's cost is
     *  this minus `prunedBeforeFineTune`. */
    sparseBeforeFinalize: number | null;
  };
  /** lambda per layer at the first prox, at the switch to the half-space stage and at the last prox
   *  (with `lambda: 'auto'`, what the controller chose). */
  lambda: {
    mode: 'auto' | 'fixed';
    first: Record<string, number>;
    peak: Record<string, number>;
    atSwitch: Record<string, number>;
    last: Record<string, number>;
  } | null;
  groups: {
    layers: LayerGroups[];
    requestedTotal: number;
    nonzeroBeforeFinalize: number;
    keptTotal: number;
    exactK: boolean;
    sparsity: number;
  };
  costs: {
    paramsBefore: number;
    paramsAfter: number;
    macsBefore: number;
    macsAfter: number;
    compression: number;
    macRatio: number;
  };
  equivalence: { maxRelativeDifference: number; tolerance: number; samples: number } | null;
  latency: { clock: string; runs: number; cells: LatencyCell[] };
  curves: { dense: EpochRecord[]; sparse: EpochRecord[] };
  /** Training epochs: the dense baseline's equal the sparse pipeline's prox + HSPG + fine-tune. */
  epochs: { dense: number; prox: number; hspg: number; finetune: number };
  sparsityHistory: SparsityPoint[];
  timings: Record<string, number>;
  goals: Array<{ goal: string; met: boolean; detail: string }>;
  outputs: { dir: string; report: string; summary: string; model: string };
}

/** Inputs of {@link buildSummary} (measurements, no tensors). */
export interface SummaryInputs {
  title?: string;
  command: string;
  date: Date;
  environment: DemoSummary['environment'];
  backend: DemoSummary['backend'];
  data: DemoSummary['data'];
  settings: Record<string, unknown>;
  accuracy: {
    dense: number;
    prunedBeforeFineTune: number;
    pruned: number;
    sparseBeforeFinalize?: number | null;
  };
  lambda?: DemoSummary['lambda'];
  layerTotals: Record<string, number>;
  requested: Record<string, number>;
  nonzeroBeforeFinalize: Record<string, number>;
  nonzeroAfterPhase1?: Record<string, number>;
  kept: Record<string, number>;
  prunedWidths: Record<string, number>;
  costs: { paramsBefore: number; paramsAfter: number; macsBefore: number; macsAfter: number };
  equivalence: DemoSummary['equivalence'];
  latency: DemoSummary['latency'];
  curves: DemoSummary['curves'];
  history: Array<{ epoch: number; batch: number; layers: Record<string, number>; finalized?: boolean }>;
  batchesPerEpoch: number;
  phase1Epochs: number;
  epochs: DemoSummary['epochs'];
  timings: Record<string, number>;
  outputs: DemoSummary['outputs'];
}

/** Keeps at most `max` points, evenly spaced, always keeping the first and the last. */
export function thin<T>(points: T[], max: number): T[] {
  if (points.length <= max || max < 2) return points.slice();
  const out: T[] = [];
  for (let i = 0; i < max; i++) out.push(points[Math.round((i * (points.length - 1)) / (max - 1))] as T);
  return out;
}

/** Builds the summary (pure; the goals come from the issue's stated targets). */
export function buildSummary(i: SummaryInputs): DemoSummary {
  const layers: LayerGroups[] = Object.keys(i.requested).map((layer) => ({
    layer,
    total: i.layerTotals[layer] ?? 0,
    requested: i.requested[layer] ?? 0,
    nonzeroAfterPhase1: i.nonzeroAfterPhase1?.[layer] ?? null,
    nonzeroBeforeFinalize: i.nonzeroBeforeFinalize[layer] ?? 0,
    kept: i.kept[layer] ?? 0,
    prunedWidth: i.prunedWidths[layer] ?? null,
  }));
  const sum = (f: (l: LayerGroups) => number) => layers.reduce((s, l) => s + f(l), 0);
  const requestedTotal = sum((l) => l.requested);
  const keptTotal = sum((l) => l.kept);
  const totalGroups = sum((l) => l.total);
  const exactK = layers.every(
    (l) => l.kept === l.requested && (l.prunedWidth === null || l.prunedWidth === l.kept),
  );
  const c = i.costs;
  const costs = {
    ...c,
    compression: c.paramsAfter > 0 ? c.paramsBefore / c.paramsAfter : Number.POSITIVE_INFINITY,
    macRatio: c.macsAfter > 0 ? c.macsBefore / c.macsAfter : Number.POSITIVE_INFINITY,
  };
  const dropPoints = (i.accuracy.dense - i.accuracy.pruned) * 100;
  const sparsityHistory: SparsityPoint[] = thin(
    i.history.map((h) => ({
      epoch: h.finalized ? h.epoch + 1 : h.epoch + (h.batch + 1) / i.batchesPerEpoch,
      phase: h.finalized
        ? ('finalize' as const)
        : h.epoch < i.phase1Epochs
          ? ('wgsef' as const)
          : ('hspg' as const),
      layers: { ...h.layers },
    })),
    400,
  );
  const big = i.latency.cells.reduce<LatencyCell | undefined>(
    (best, cell) => (best === undefined || cell.batchSize > best.batchSize ? cell : best),
    undefined,
  );
  const goals = [
    {
      goal: 'requested k met exactly after finalize, and the pruned layers have exactly k channels/units',
      met: exactK,
      detail: layers.map((l) => `${l.layer} ${l.kept}/${l.requested}`).join(', '),
    },
    {
      goal: 'pruned outputs equal the sparse model outputs',
      met: i.equivalence !== null && i.equivalence.maxRelativeDifference <= i.equivalence.tolerance,
      detail: i.equivalence
        ? `max relative difference ${i.equivalence.maxRelativeDifference.toExponential(2)} (tolerance ${i.equivalence.tolerance})`
        : 'not checked',
    },
    {
      goal: 'dense baseline at least 85% test accuracy',
      met: i.accuracy.dense >= 0.85,
      detail: `${(i.accuracy.dense * 100).toFixed(2)}% on ${i.data.test} test images`,
    },
    {
      goal: 'same training epochs for the dense baseline as for the sparse pipeline',
      met: i.epochs.dense === i.epochs.prox + i.epochs.hspg + i.epochs.finetune,
      detail: `dense ${i.epochs.dense}; prox-SGD ${i.epochs.prox} + HSPG ${i.epochs.hspg} + fine-tune of the pruned model ${i.epochs.finetune}`,
    },
    {
      goal: 'pruned accuracy within 1 point of the dense baseline (same epochs)',
      met: dropPoints <= 1,
      detail: `dense ${(i.accuracy.dense * 100).toFixed(2)}%, pruned ${(i.accuracy.pruned * 100).toFixed(2)}% (${dropPoints >= 0 ? '-' : '+'}${Math.abs(dropPoints).toFixed(2)} points)`,
    },
    {
      goal: 'wasm latency speedup at the largest batch >= 0.8x the MAC reduction',
      met: big !== undefined && big.efficiency !== null && big.efficiency >= 0.8,
      detail: big
        ? `batch ${big.batchSize}: speedup ${big.speedup.toFixed(2)}x vs MAC ratio ${big.macRatio?.toFixed(2) ?? '?'}x (efficiency ${big.efficiency?.toFixed(2) ?? '?'})`
        : 'no latency measured',
    },
  ];
  return {
    title: i.title ?? 'klevel demo: LeNet-5-Caffe on Fashion-MNIST, WGSEF + HSPG, pruned',
    command: i.command,
    date: i.date.toISOString(),
    environment: i.environment,
    backend: i.backend,
    data: i.data,
    settings: i.settings,
    accuracy: { ...i.accuracy, dropPoints, sparseBeforeFinalize: i.accuracy.sparseBeforeFinalize ?? null },
    lambda: i.lambda ?? null,
    groups: {
      layers,
      requestedTotal,
      nonzeroBeforeFinalize: sum((l) => l.nonzeroBeforeFinalize),
      keptTotal,
      exactK,
      sparsity: totalGroups > 0 ? 1 - keptTotal / totalGroups : 0,
    },
    costs,
    equivalence: i.equivalence,
    latency: i.latency,
    curves: i.curves,
    epochs: i.epochs,
    sparsityHistory,
    timings: i.timings,
    goals,
    outputs: i.outputs,
  };
}

/** The summary as a terminal table (cli-table3, no colours so it can be logged). */
export function summaryTable(s: DemoSummary): string {
  const table = new Table({
    head: ['', 'dense', 'pruned', 'change'],
    style: { head: [], border: [] },
    colAligns: ['left', 'right', 'right', 'right'],
  });
  const a = s.accuracy;
  table.push(['test accuracy', formatPercent(a.dense), formatPercent(a.pruned), formatPoints(a.dropPoints)]);
  if (a.sparseBeforeFinalize !== null) {
    table.push([
      '  sparse, before the exact-k finalize',
      '',
      formatPercent(a.sparseBeforeFinalize),
      `cut: ${formatPoints((a.sparseBeforeFinalize - a.prunedBeforeFineTune) * 100)}`,
    ]);
  }
  table.push(['  pruned, before its fine-tune', '', formatPercent(a.prunedBeforeFineTune), '']);
  for (const l of s.groups.layers) {
    table.push([
      `groups ${l.layer} (kept / requested)`,
      String(l.total),
      `${l.kept} / ${l.requested}`,
      `${l.nonzeroAfterPhase1 !== null ? `${l.nonzeroAfterPhase1} nonzero after WGSEF, ` : ''}${l.nonzeroBeforeFinalize} before finalize`,
    ]);
  }
  table.push(
    [
      'groups total (kept / requested)',
      String(s.groups.layers.reduce((t, l) => t + l.total, 0)),
      `${s.groups.keptTotal} / ${s.groups.requestedTotal}`,
      `${formatPercent(s.groups.sparsity, 1)} group sparsity`,
    ],
    [
      'parameters',
      formatInt(s.costs.paramsBefore),
      formatInt(s.costs.paramsAfter),
      `${formatRatio(s.costs.compression)} smaller`,
    ],
    [
      'MACs per image',
      formatInt(s.costs.macsBefore),
      formatInt(s.costs.macsAfter),
      `${formatRatio(s.costs.macRatio)} fewer`,
    ],
  );
  if (s.lambda) {
    const l = s.lambda;
    const fmt = (x: number | undefined) => (x === undefined ? '?' : x.toExponential(1));
    for (const name of Object.keys(l.last)) {
      table.push([
        `lambda ${name} (${l.mode}: first / peak / last)`,
        '',
        `${fmt(l.first[name])} / ${fmt(l.peak[name])} / ${fmt(l.last[name])}`,
        '',
      ]);
    }
  }
  for (const c of s.latency.cells) {
    table.push([
      `latency ${c.backend} batch ${c.batchSize} (median ms${c.noisy ? ', noisy' : ''})`,
      c.denseMs.toFixed(3),
      c.prunedMs.toFixed(3),
      `${formatRatio(c.speedup)} speedup vs ${formatRatio(c.macRatio)} MAC ratio (eff. ${c.efficiency === null ? '-' : c.efficiency.toFixed(2)})`,
    ]);
  }
  return table.toString();
}

/** One line per goal: '[x]' met, '[ ]' not met. */
export function goalLines(s: DemoSummary): string[] {
  return s.goals.map((g) => `${g.met ? '[x]' : '[ ]'} ${g.goal}: ${g.detail}`);
}
