/**
 * Aggregation of the experiment's per-run records into per-(sparsity, method) summaries: mean and sample
 * standard deviation over seeds. Pure functions.
 */
import type { PaperMethod } from './options';

/** One trained-and-evaluated run: a method, a seed and a requested sparsity (null for dense). */
export interface RunRecord {
  method: PaperMethod;
  seed: number;
  /** Requested fraction of filters/neurons removed per layer; null for the dense reference. */
  sparsity: number | null;
  /** Test accuracy at the end of training, before the exact-k step. */
  accuracyTrained: number;
  /** Test accuracy right after the exact-k step (equals accuracyTrained for dense). */
  accuracyExactK: number;
  /** Test accuracy after the equal fine-tune (null when --finetune-epochs 0). */
  accuracyFineTuned: number | null;
  /** Fraction of regularized groups that were exactly zero before the exact-k step. */
  sparsityBeforeExactK: number;
  /** Fraction of regularized groups that are zero after the exact-k step. */
  sparsityAfterExactK: number;
  /** Regularized (removable) groups of the model. */
  groups: number;
  /** Parameters and MACs per sample of the (pruned) model. */
  params: number;
  macs: number;
  /** Max relative output difference between the sparse model and the pruned model (null for dense). */
  pruneMaxDifference: number | null;
  /** Wall-clock seconds spent training this run (its share of a shared first phase included). */
  trainSeconds: number;
}

/** Mean and sample standard deviation (n - 1; 0 for a single value). */
export interface MeanStd {
  mean: number;
  std: number;
  n: number;
}

/** Mean and sample standard deviation of `values`. Throws on an empty list or a non-finite value. */
export function meanStd(values: readonly number[]): MeanStd {
  if (values.length === 0) {
    throw new RangeError('meanStd: expected at least one value, got an empty list.');
  }
  for (const v of values) {
    if (!Number.isFinite(v)) throw new RangeError(`meanStd: expected finite numbers, got ${v}.`);
  }
  const n = values.length;
  const mean = values.reduce((s, v) => s + v, 0) / n;
  if (n === 1) return { mean, std: 0, n };
  const ss = values.reduce((s, v) => s + (v - mean) ** 2, 0);
  return { mean, std: Math.sqrt(ss / (n - 1)), n };
}

/** The summary of one method at one sparsity over its seeds. */
export interface SummaryRow {
  method: PaperMethod;
  sparsity: number | null;
  seeds: number[];
  accuracyTrained: MeanStd;
  accuracyExactK: MeanStd;
  accuracyFineTuned: MeanStd | null;
  sparsityBeforeExactK: MeanStd;
  sparsityAfterExactK: number;
  params: number;
  macs: number;
  trainSeconds: number;
}

/**
 * Groups records by (sparsity, method) and aggregates them. Rows come out by sparsity (dense's null
 * first), then in the order methods first appear. Params, MACs and the exact-k sparsity must agree across
 * seeds (the architecture after the exact-k step depends only on k); a disagreement throws.
 */
export function summarize(records: readonly RunRecord[]): SummaryRow[] {
  const keys: string[] = [];
  const byKey = new Map<string, RunRecord[]>();
  for (const r of records) {
    const key = `${r.sparsity ?? 'dense'}|${r.method}`;
    let list = byKey.get(key);
    if (!list) {
      list = [];
      byKey.set(key, list);
      keys.push(key);
    }
    list.push(r);
  }
  const rows = keys.map((key) => {
    const list = byKey.get(key) as RunRecord[];
    const first = list[0] as RunRecord;
    for (const r of list) {
      if (r.params !== first.params || r.macs !== first.macs) {
        throw new Error(
          `summarize: ${first.method} at sparsity ${first.sparsity} has different pruned sizes across seeds (${first.params} vs ${r.params} params, ${first.macs} vs ${r.macs} MACs); the exact-k step should fix the architecture.`,
        );
      }
    }
    const fine = list.map((r) => r.accuracyFineTuned);
    return {
      method: first.method,
      sparsity: first.sparsity,
      seeds: list.map((r) => r.seed),
      accuracyTrained: meanStd(list.map((r) => r.accuracyTrained)),
      accuracyExactK: meanStd(list.map((r) => r.accuracyExactK)),
      accuracyFineTuned: fine.every((v) => v !== null) ? meanStd(fine as number[]) : null,
      sparsityBeforeExactK: meanStd(list.map((r) => r.sparsityBeforeExactK)),
      sparsityAfterExactK: first.sparsityAfterExactK,
      params: first.params,
      macs: first.macs,
      trainSeconds: list.reduce((s, r) => s + r.trainSeconds, 0) / list.length,
    } satisfies SummaryRow;
  });
  const order = (s: number | null): number => (s === null ? -1 : s);
  return rows
    .map((row, i) => ({ row, i }))
    .sort((a, b) => order(a.row.sparsity) - order(b.row.sparsity) || a.i - b.i)
    .map(({ row }) => row);
}
