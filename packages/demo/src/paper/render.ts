/**
 * Renders the experiment's results as Markdown (`docs/results.md`): command, machine, date, protocol, one
 * table per sparsity level, the latency table and the goal checks. Pure: takes the results object.
 */
import { METHOD_LABELS, type PaperMethod, type PaperOptions } from './options';
import type { MeanStd, RunRecord, SummaryRow } from './stats';

/** The dense-vs-pruned latency of one sparsity level. */
export interface LatencyRecord {
  sparsity: number;
  batchSize: number;
  backend: string;
  /** 'wall' (wall-clock) or 'cpu' (process CPU time; robust to other processes). */
  clock: 'wall' | 'cpu';
  denseMedianMs: number;
  prunedMedianMs: number;
  speedup: number;
  pairedSpeedup: number;
  macRatio: number;
  /** speedup / macRatio. */
  efficiency: number;
  /** True when a result's (max - min) / median exceeded the noise threshold. */
  noisy: boolean;
  runs: number;
}

/** Where and how the experiment ran. */
export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  node: string;
  platform: string;
  tfjsBackend: string;
  tfjsVersion: string;
  /** 1-minute load average at the start and at the end. */
  loadAverage: { start: number; end: number };
}

/** Everything written to results.json. */
export interface PaperResults {
  command: string;
  startedAt: string;
  finishedAt: string;
  wallSeconds: number;
  machine: MachineInfo;
  options: PaperOptions;
  data: { source: string; train: number; test: number };
  dense: { params: number; macs: number };
  runs: RunRecord[];
  summary: SummaryRow[];
  latency: LatencyRecord[];
  /** Free-form notes (reduced configuration, load, ...), rendered first. */
  notes: string[];
}

/** `12.3 ± 0.4` in percent points (accuracies are fractions). */
export function formatAccuracy(m: MeanStd | null): string {
  if (!m) return '-';
  return `${(100 * m.mean).toFixed(2)} ± ${(100 * m.std).toFixed(2)}`;
}

/** Percent with one decimal. */
export function formatPercent(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}

/** Integer with thousands separators. */
export function formatInt(n: number): string {
  return Math.round(n)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** A Markdown table. */
export function markdownTable(header: string[], rows: string[][]): string {
  const line = (cells: string[]): string => `| ${cells.map(escapeCell).join(' | ')} |`;
  return [line(header), `|${header.map(() => '---').join('|')}|`, ...rows.map(line)].join('\n');
}

function latencyCell(l: LatencyRecord | undefined): string {
  if (!l) return '-';
  return `${l.speedup.toFixed(2)}x${l.noisy ? ' (noisy)' : ''}`;
}

/**
 * The table of one sparsity level: dense first (as reference), then the sparse methods.
 * Columns: method, accuracy after the exact-k step, after the fine-tune, sparsity before exact-k vs
 * requested, params (compression), MACs (reduction), wasm latency speedup.
 */
export function sparsityTable(
  sparsity: number,
  rows: SummaryRow[],
  dense: { params: number; macs: number },
  latency: LatencyRecord | undefined,
): string {
  const denseRow = rows.find((r) => r.method === 'dense' && r.sparsity === null);
  const atLevel = rows.filter((r) => r.sparsity === sparsity);
  const body: string[][] = [];
  if (denseRow) {
    body.push([
      METHOD_LABELS.dense,
      formatAccuracy(denseRow.accuracyExactK),
      formatAccuracy(denseRow.accuracyFineTuned),
      '-',
      `${formatInt(dense.params)} (1.00x)`,
      `${formatInt(dense.macs)} (1.00x)`,
      '1.00x',
    ]);
  }
  for (const r of atLevel) {
    body.push([
      METHOD_LABELS[r.method],
      formatAccuracy(r.accuracyExactK),
      formatAccuracy(r.accuracyFineTuned),
      `${formatPercent(r.sparsityBeforeExactK.mean)} → ${formatPercent(r.sparsityAfterExactK)}`,
      `${formatInt(r.params)} (${(dense.params / r.params).toFixed(2)}x)`,
      `${formatInt(r.macs)} (${(dense.macs / r.macs).toFixed(2)}x)`,
      latencyCell(latency),
    ]);
  }
  return markdownTable(
    [
      'method',
      'acc. after exact-k (%)',
      'acc. after fine-tune (%)',
      'group sparsity before → after exact-k',
      'params (compression)',
      'MACs/sample (reduction)',
      'wasm speedup @64',
    ],
    body,
  );
}

/** The best sparse method at a level by fine-tuned (else exact-k) mean accuracy. */
function accuracyOf(r: SummaryRow): MeanStd {
  return r.accuracyFineTuned ?? r.accuracyExactK;
}

/** The automatic goal checks, as Markdown bullet lines (numbers only; the discussion is separate). */
export function goalChecks(results: PaperResults): string[] {
  const { summary, options } = results;
  const out: string[] = [];
  const dense = summary.find((r) => r.method === 'dense');
  const levels = options.sparsities;
  const stage = options.finetuneEpochs > 0 ? 'after the fine-tune' : 'after the exact-k step';
  // (a) 80% (or closest) sparsity, <= 1 point loss
  if (dense && levels.length > 0) {
    const target = levels.reduce((best, s) => (Math.abs(s - 0.8) < Math.abs(best - 0.8) ? s : best));
    const cand = summary.filter(
      (r) => r.sparsity === target && (r.method === 'wgsef-prox' || r.method === 'wgsef-hspg'),
    );
    const d = accuracyOf(dense);
    for (const r of cand) {
      const a = accuracyOf(r);
      const loss = 100 * (d.mean - a.mean);
      out.push(
        `(a) ${METHOD_LABELS[r.method]} at ${formatPercent(target)} sparsity, ${stage}: ${(100 * a.mean).toFixed(2)}% vs dense ${(100 * d.mean).toFixed(2)}% (same epochs), loss ${loss.toFixed(2)} points: ${loss <= 1 ? 'MET' : 'NOT MET'} (goal <= 1 point).`,
      );
    }
  }
  // (b) WGSEF(+HSPG) vs group lasso and magnitude at each level
  for (const s of levels) {
    const at = summary.filter((r) => r.sparsity === s);
    const best = (methods: PaperMethod[]): SummaryRow | undefined =>
      at.filter((r) => methods.includes(r.method)).sort((a, b) => accuracyOf(b).mean - accuracyOf(a).mean)[0];
    const w = best(['wgsef-prox', 'wgsef-hspg']);
    const others = best(['group-lasso-prox', 'group-lasso-hspg', 'magnitude']);
    if (w && others) {
      const diff = 100 * (accuracyOf(w).mean - accuracyOf(others).mean);
      const spread = 100 * Math.max(accuracyOf(w).std, accuracyOf(others).std);
      const within =
        Math.abs(diff) <= spread ? `, within the seed spread (std up to ${spread.toFixed(2)})` : '';
      out.push(
        `(b) ${formatPercent(s)}: best WGSEF (${METHOD_LABELS[w.method]}) ${formatAccuracy(accuracyOf(w))} vs best baseline (${METHOD_LABELS[others.method]}) ${formatAccuracy(accuracyOf(others))}: ${diff >= 0 ? '+' : ''}${diff.toFixed(2)} points, ${diff >= 0 ? 'matches or beats' : 'below'}${within} (${stage}).`,
      );
    }
  }
  // (c) latency speedup >= 0.8 x MAC reduction
  for (const l of results.latency) {
    out.push(
      `(c) ${formatPercent(l.sparsity)} (${l.clock} clock): speedup ${l.speedup.toFixed(2)}x (paired ${l.pairedSpeedup.toFixed(2)}x) for a MAC reduction of ${l.macRatio.toFixed(2)}x, efficiency ${l.efficiency.toFixed(2)}: ${l.efficiency >= 0.8 ? 'MET' : 'NOT MET'} (goal >= 0.8)${l.noisy ? ', flagged noisy' : ''}.`,
    );
  }
  return out;
}

function latencyTable(latency: LatencyRecord[]): string {
  return markdownTable(
    [
      'sparsity',
      'clock',
      'dense median (ms)',
      'pruned median (ms)',
      'speedup',
      'paired speedup',
      'MAC reduction',
      'efficiency',
      'noisy',
    ],
    latency.map((l) => [
      formatPercent(l.sparsity),
      l.clock,
      l.denseMedianMs.toFixed(2),
      l.prunedMedianMs.toFixed(2),
      `${l.speedup.toFixed(2)}x`,
      `${l.pairedSpeedup.toFixed(2)}x`,
      `${l.macRatio.toFixed(2)}x`,
      l.efficiency.toFixed(2),
      l.noisy ? 'yes' : 'no',
    ]),
  );
}

function duration(seconds: number): string {
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds % 60);
  return m > 0 ? `${m} min ${s} s` : `${s} s`;
}

/**
 * The whole report. `discussion` (Markdown) is inserted after the goal checks; pass the honest reading
 * of the numbers there (the CLI writes a generic one that states what the checks measured).
 */
export function renderResultsMarkdown(results: PaperResults, discussion = ''): string {
  const { options: o, machine: m } = results;
  const lines: string[] = [];
  lines.push('# Results: k-level structured sparsity on Fashion-MNIST, side by side');
  lines.push('');
  lines.push(
    '_Generated by `npm run bench:paper` (packages/demo/src/paper); raw numbers in `results.json` beside this file. Do not edit by hand: re-run the command._',
  );
  lines.push('');
  for (const note of results.notes) lines.push(`> ${note}`, '>');
  if (results.notes.length) lines.push('');
  lines.push('## Run');
  lines.push('');
  lines.push(`- Command: \`${results.command}\``);
  lines.push(
    `- Date: ${results.startedAt} to ${results.finishedAt} (wall time ${duration(results.wallSeconds)})`,
  );
  lines.push(
    `- Machine: ${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB.toFixed(0)} GiB, ${m.platform}, Node ${m.node}, tfjs ${m.tfjsVersion} on the \`${m.tfjsBackend}\` backend (single-threaded, SIMD). 1-minute load average ${m.loadAverage.start.toFixed(1)} at the start, ${m.loadAverage.end.toFixed(1)} at the end.`,
  );
  lines.push(
    `- Data: Fashion-MNIST (${results.data.source}), the first ${formatInt(results.data.train)} training images and the first ${formatInt(results.data.test)} test images.`,
  );
  lines.push(
    `- Model: ${o.model === 'lenet5' ? 'LeNet-5 (6-16-120-84)' : 'LeNet-5-Caffe (conv 20 → conv 50 → dense 500 → 10)'}, ${formatInt(results.dense.params)} params, ${formatInt(results.dense.macs)} MACs/sample. Seeds ${o.seeds.join(', ')}.`,
  );
  lines.push('');
  lines.push('## Protocol');
  lines.push('');
  const half = Math.max(1, Math.floor(o.epochs / 2));
  lines.push(
    [
      `- Every method: the same data, the same seeded data order per epoch, the same model initialisation per seed, batch ${o.batchSize}, ${o.epochs} epochs, momentum SGD (0.9) with a cosine learning rate from ${o.lr} to ${o.lrMin} (per epoch). The optimizer is rebuilt after epoch ${half} for every method (phase 1 = ${half} epochs, phase 2 = the rest), so the prox-SGD phase 1 can be shared by the prox-SGD and HSPG variants of a regularizer.`,
      `- Groups: the filters of conv1/conv2 and the neurons of the hidden dense layer (with their biases); the output layer is not regularized or pruned. Sparsity s means every one of these layers keeps round((1 - s) × its groups).`,
      `- Dense: plain momentum SGD, no regularizer.`,
      `- WGSEF prox-SGD: \`wgsef({ groups: 'filters', keep: { fraction: 1 - s }, lambda: ${o.lambdaWgsef}, scope: 'layer' })\` (group weights sqrt(group size)) with \`proxCallback\` after every batch (penalty lr × lambda). One training per sparsity (k is part of the regularizer).`,
      `- WGSEF then HSPG: the same phase 1, then the \`hspg\` optimizer in its half-space stage (epsilon ${o.hspgEpsilon}, momentum 0.9) for phase 2.`,
      `- Group lasso prox-SGD / then HSPG: the same with \`groupLasso({ groups: 'filters', lambda: ${o.lambdaGroupLasso} })\` (sqrt-size weights). Its training does not depend on k, so one run per seed serves every level.`,
      `- Magnitude: the dense model, then keep the k filters/neurons of largest L2 norm per layer.`,
      `- Exact-k step (every sparse method, the same k): \`finalize()\` keeps the k groups of largest weighted norm per layer and zeroes the rest (for magnitude, a lambda-0 group-lasso regularizer's finalize, i.e. top-k L2 norms). The model is then physically pruned with \`prune(model, { keep: k per layer })\` (outputs checked against the sparse model, relative tolerance 1e-4), so every method ends with the identical architecture at a given level. A method that zeroed more than k groups of a layer before the exact-k step keeps the extra ones as zero groups in that architecture (the fine-tune may revive them); the "after" sparsity column then exceeds the requested level.`,
      o.finetuneEpochs > 0
        ? `- Equal fine-tune: the pruned model of every method is trained ${o.finetuneEpochs} more epoch(s) with momentum SGD at lr ${o.lrMin} (no regularizer). The dense reference gets the same ${o.finetuneEpochs} extra epoch(s), so "after fine-tune" columns compare equal budgets of ${o.epochs + o.finetuneEpochs} epochs.`
        : '- No fine-tune (--finetune-epochs 0).',
      `- Reported: test accuracy (mean ± sample std over the seeds) right after the exact-k step and after the fine-tune; the fraction of groups that were already exactly zero before the exact-k step (→ the fraction after it, which is the requested level up to per-layer rounding); params and MACs per sample of the pruned model (\`countParams\`/\`countFlops\`); wasm latency speedup at batch ${o.latencyBatch} (\`benchmarkLatency\`, dense vs pruned, interleaved runs, ${o.latencyRuns} timed runs each; the pruned architecture is the same for every method at a level, so it is measured once per level).`,
    ].join('\n'),
  );
  lines.push('');
  lines.push('## Results per sparsity level');
  lines.push('');
  for (const s of o.sparsities) {
    const lat = results.latency.find((l) => l.sparsity === s && l.clock === 'wall');
    lines.push(`### ${formatPercent(s)} of filters and neurons removed`);
    lines.push('');
    lines.push(sparsityTable(s, results.summary, results.dense, lat));
    lines.push('');
  }
  if (results.latency.length) {
    lines.push(`## Latency (wasm, batch ${o.latencyBatch})`);
    lines.push('');
    lines.push(latencyTable(results.latency));
    lines.push('');
    lines.push(
      "`wall` is wall-clock time; `cpu` is this process's CPU time (the wasm backend is single-threaded), less sensitive to other processes on a loaded machine. Efficiency = speedup / MAC reduction.",
    );
    lines.push('');
  }
  lines.push('## Goals');
  lines.push('');
  for (const g of goalChecks(results)) lines.push(`- ${g}`);
  lines.push('');
  if (discussion.trim()) {
    lines.push('## Discussion');
    lines.push('');
    lines.push(discussion.trim());
    lines.push('');
  }
  lines.push('## Reproduce');
  lines.push('');
  lines.push('```sh');
  lines.push(
    'npm run bench:paper                 # the default run (about 15-30 minutes on an idle 2-core machine)',
  );
  lines.push('npm run bench:paper -- --full       # whole dataset, longer schedule (about 5 hours per seed)');
  lines.push('npm run bench:paper -- --help       # every option (seeds, sparsities, epochs, lambdas, ...)');
  lines.push('```');
  lines.push('');
  return lines.join('\n');
}
