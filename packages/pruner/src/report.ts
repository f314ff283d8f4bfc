/**
 * The pruning report: parameters and multiply-accumulates per layer and in total, before and after, the
 * groups removed and kept, the compression ratio and the measured output difference. Plain data plus a
 * pretty `toString()` (aligned text table).
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import type { EquivalenceResult } from './equivalence';
import { countCosts } from './groups-adapter';
import type { PlannedGroup, PruningPlan } from './plan-types';

/** Costs of one layer before and after pruning. */
export interface LayerReport {
  layerName: string;
  className: string;
  paramsBefore: number;
  paramsAfter: number;
  /** Multiply-accumulates per sample. */
  macsBefore: number;
  macsAfter: number;
  /** Groups removed whose `layerName` is this layer. */
  groupsRemoved: number;
}

/** The report of one {@link prune} call. */
export interface PruningReport {
  /** Every layer with parameters or MACs, in model order. */
  layers: LayerReport[];
  /** Totals over the model. */
  total: { paramsBefore: number; paramsAfter: number; macsBefore: number; macsAfter: number };
  /** paramsBefore / paramsAfter (1 when nothing was removed). */
  compressionRatio: number;
  /** macsBefore / macsAfter (1 when nothing was removed). */
  macsRatio: number;
  /** Number of groups removed. */
  groupsRemoved: number;
  /** Groups that looked removable but were kept, with the reason (round-to, last-channel, ...). */
  groupsKept: PlannedGroup[];
  /** The output check, when it ran. */
  equivalence?: EquivalenceResult & { tolerance: number };
  /**
   * Excluded layers whose MACs could not be counted and were counted as 0 (e.g. an LSTM passed in `exclude`):
   * the MAC totals and ratio leave them out. Empty when every layer was counted.
   */
  macsCountedAsZero: Array<{ layerName: string; className: string }>;
  /** BatchNormalization layers folded into their producers (`prune(model, { foldBatchNorm: true })`). */
  foldedBatchNorm?: string[];
  /** The report as an aligned text table (same as {@link formatReport}). */
  toString(): string;
}

/**
 * Builds the report of pruning `before` into `after` with `plan`.
 *
 * @param before The original model.
 * @param after The pruned model.
 * @param plan The plan that was applied.
 * @param equivalence The measured output difference, if checked.
 * @param exclude Layers whose MACs @klevel/groups cannot count (counted as 0). Defaults to [].
 * @example
 * const small = await applyPlan(model, plan);
 * console.log(String(buildReport(model, small, plan)));
 */
export function buildReport(
  before: tfl.LayersModel,
  after: tfl.LayersModel,
  plan: PruningPlan,
  equivalence?: EquivalenceResult & { tolerance: number },
  exclude: readonly string[] = [],
): PruningReport {
  const a = countCosts(before, exclude);
  const b = countCosts(after, exclude);
  const removedByLayer = new Map<string, number>();
  for (const g of plan.groups.removed)
    removedByLayer.set(g.layerName, (removedByLayer.get(g.layerName) ?? 0) + 1);
  const layers: LayerReport[] = [];
  for (const [name, x] of a.perLayer) {
    const y = b.perLayer.get(name) ?? { params: 0, macs: 0 };
    if (x.params === 0 && x.macs === 0) continue;
    layers.push({
      layerName: name,
      className: x.className,
      paramsBefore: x.params,
      paramsAfter: y.params,
      macsBefore: x.macs,
      macsAfter: y.macs,
      groupsRemoved: removedByLayer.get(name) ?? 0,
    });
  }
  const report: PruningReport = {
    layers,
    total: { paramsBefore: a.params, paramsAfter: b.params, macsBefore: a.macs, macsAfter: b.macs },
    compressionRatio: b.params > 0 ? a.params / b.params : Number.POSITIVE_INFINITY,
    macsRatio: b.macs > 0 ? a.macs / b.macs : a.macs > 0 ? Number.POSITIVE_INFINITY : 1,
    groupsRemoved: plan.groups.removed.length,
    groupsKept: plan.groups.kept,
    macsCountedAsZero: a.countedAsZero,
    ...(equivalence !== undefined ? { equivalence } : {}),
    toString() {
      return formatReport(this);
    },
  };
  return report;
}

/** Kept groups listed one per line in the text report (all of them are in `report.groupsKept`). */
const KEPT_LINES = 20;

function pct(before: number, after: number): string {
  if (before === 0) return '-';
  return `${(100 * (1 - after / before)).toFixed(1)}%`;
}

function table(rows: string[][], rightAligned: boolean[]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((cell, c) => (rightAligned[c] ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/**
 * Formats a report as an aligned text table: one row per layer (params and MACs before -> after, the
 * reduction and the groups removed), a total row, the ratios, kept groups and the output check.
 *
 * @param report A report from {@link prune}.
 * @example
 * const { report } = await prune(model);
 * console.log(formatReport(report));
 */
export function formatReport(report: Omit<PruningReport, 'toString'>): string {
  const n = (x: number) => x.toLocaleString('en-US');
  const rows: string[][] = [['layer', 'class', 'params', '', 'MACs', '', 'groups removed']];
  for (const l of report.layers) {
    rows.push([
      l.layerName,
      l.className,
      `${n(l.paramsBefore)} -> ${n(l.paramsAfter)}`,
      pct(l.paramsBefore, l.paramsAfter),
      `${n(l.macsBefore)} -> ${n(l.macsAfter)}`,
      pct(l.macsBefore, l.macsAfter),
      l.groupsRemoved > 0 ? String(l.groupsRemoved) : '',
    ]);
  }
  const t = report.total;
  rows.push([
    'total',
    '',
    `${n(t.paramsBefore)} -> ${n(t.paramsAfter)}`,
    pct(t.paramsBefore, t.paramsAfter),
    `${n(t.macsBefore)} -> ${n(t.macsAfter)}`,
    pct(t.macsBefore, t.macsAfter),
    String(report.groupsRemoved),
  ]);
  const lines = [table(rows, [false, false, true, true, true, true, true])];
  lines.push(
    `compression ${report.compressionRatio.toFixed(2)}x params, ${report.macsRatio.toFixed(2)}x MACs; ` +
      `${report.groupsRemoved} groups removed`,
  );
  if (report.groupsKept.length > 0) {
    const counts = new Map<string, number>();
    for (const g of report.groupsKept) counts.set(g.reason, (counts.get(g.reason) ?? 0) + 1);
    lines.push(`kept: ${[...counts].map(([r, c]) => `${c} ${r}`).join(', ')}`);
    const shown = report.groupsKept.slice(0, KEPT_LINES);
    for (const g of shown) {
      lines.push(
        `  kept ${g.id} (max |x| ${g.maxAbs.toExponential(1)}): ${g.reason}${g.detail !== undefined ? ` - ${g.detail}` : ''}`,
      );
    }
    if (report.groupsKept.length > shown.length)
      lines.push(`  ... and ${report.groupsKept.length - shown.length} more (report.groupsKept)`);
  }
  if (report.macsCountedAsZero.length > 0) {
    lines.push(
      `MACs counted as 0 (excluded, not countable): ${report.macsCountedAsZero
        .map((l) => `${l.layerName} (${l.className})`)
        .join(', ')}; the MAC totals leave them out`,
    );
  }
  if (report.foldedBatchNorm !== undefined) {
    const f = report.foldedBatchNorm;
    lines.push(
      `folded BatchNorm: ${f.length > 0 ? f.join(', ') : 'none'} (removed; merged into the preceding layer)`,
    );
  }
  if (report.equivalence !== undefined) {
    const e = report.equivalence;
    lines.push(
      `output check: max relative difference ${e.maxRelativeDifference.toExponential(2)} ` +
        `(tolerance ${e.tolerance.toExponential(0)}) over ${e.samples} samples`,
    );
  }
  return lines.join('\n');
}
