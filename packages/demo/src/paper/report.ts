/**
 * The report of the full-scale experiment, rendered from whatever the results file holds:
 * `docs/results-summary.json` (one row per model x method x level that has results) and
 * `docs/results.md` (the same, with spread, exact k, params, MACs, latency, training time, the command,
 * machine and date, and the cells still missing). Pure except {@link writeReport}.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { formatDuration, formatInt, formatRatio } from '../format';
import { checkpointsInProgress, type InProgress } from './checkpoint';
import {
  chosenLambda,
  type DoneRun,
  type GridSpec,
  isSearched,
  METHOD_LABELS,
  methodApplies,
  PAPER_METHODS,
  PAPER_MODELS,
  type PaperMethod,
  type PaperModel,
} from './grid';
import { LAMBDA_GRID, PROTOCOLS, totalEpochs } from './protocol';
import type { LatencyRecord, PaperRecord, RunRecord } from './records';
import { meanStd } from './stats';

/** One row of `docs/results-summary.json` (the schema an external check reads). */
export interface SummaryRow {
  model: string;
  dataset: string;
  trainImages: number;
  testImages: number;
  epochs: number;
  seeds: number;
  method: string;
  sparsity: number;
  accuracyMean: number;
  accuracyStd: number;
  macsReduction: number;
  latencySpeedup: number | null;
}

/** A row with the extra columns of the Markdown report. */
export interface ReportRow extends SummaryRow {
  seedList: number[];
  lambda: number | null;
  /** The lambda search of a searched method is not complete: the best trial so far is shown. */
  provisional: boolean;
  exactK: boolean;
  params: number;
  macs: number;
  sparsityBeforeExactK: number | null;
  trainSeconds: number;
  trainCpuSeconds: number;
}

/** What the report needs to know about the grid. */
export interface ReportGrid {
  models: readonly PaperModel[];
  methods: readonly PaperMethod[];
  sparsities: readonly number[];
  seeds: readonly number[];
  searchSparsity: number;
  /** Seed of the lambda search (0 unless `--search-seed`). */
  searchSeed: number;
}

/**
 * The grid a report covers: `base` (the full default grid), the run's own `slice` and every cell the results
 * file holds, so that rendering after a sliced run (`--sparsities 0.7 --methods scratch`) keeps every row
 * already done and lists every cell of the full grid still missing. The search point is the slice's.
 */
export function coveredGrid(
  base: ReportGrid,
  slice: ReportGrid,
  records: readonly PaperRecord[],
): ReportGrid {
  const runs = runsOf(records);
  const sortedUnion = (...lists: (readonly number[])[]): number[] =>
    [...new Set(lists.flat())].sort((a, b) => a - b);
  const inOrder = <T>(order: readonly T[], ...lists: (readonly T[])[]): T[] =>
    order.filter((x) => lists.some((l) => l.includes(x)));
  return {
    models: inOrder(
      PAPER_MODELS,
      base.models,
      slice.models,
      runs.map((r) => r.model),
    ),
    methods: inOrder(
      PAPER_METHODS,
      base.methods,
      slice.methods,
      runs.map((r) => r.method),
    ),
    sparsities: sortedUnion(
      base.sparsities,
      slice.sparsities,
      runs.filter((r) => r.method !== 'dense').map((r) => r.sparsity),
    ),
    seeds: sortedUnion(
      base.seeds,
      slice.seeds,
      runs.map((r) => r.seed),
    ),
    searchSparsity: slice.searchSparsity,
    searchSeed: slice.searchSeed,
  };
}

function runsOf(records: readonly PaperRecord[]): RunRecord[] {
  return records.filter((r): r is RunRecord => r.kind === 'run');
}

/** The lambda a row uses: the chosen one, or (search incomplete) the best validation trial so far. */
function lambdaFor(
  grid: ReportGrid,
  runs: RunRecord[],
  model: PaperModel,
  method: PaperMethod,
): { lambda: number | null; provisional: boolean } {
  if (!isSearched(method)) return { lambda: null, provisional: false };
  const spec = {
    lambdaGrid: LAMBDA_GRID,
    searchAt: { sparsity: grid.searchSparsity, seed: grid.searchSeed },
  } as GridSpec;
  const done: DoneRun[] = runs.map((r) => ({ ...r, valAccuracy: r.result.valAccuracy }));
  const chosen = chosenLambda(spec, done, model, method);
  if (chosen !== undefined) return { lambda: chosen, provisional: false };
  const trials = done
    .filter((d) => d.model === model && d.method === method && d.sparsity === grid.searchSparsity)
    .sort((a, b) => b.valAccuracy - a.valAccuracy);
  return { lambda: trials[0]?.lambda ?? null, provisional: true };
}

/** Rows of every (model, method, level) with at least one result, in grid order. */
export function reportRows(records: readonly PaperRecord[], grid: ReportGrid): ReportRow[] {
  const runs = runsOf(records);
  const latency = records.filter((r): r is LatencyRecord => r.kind === 'latency');
  const rows: ReportRow[] = [];
  for (const model of grid.models) {
    const dense = runs.find((r) => r.model === model && r.method === 'dense');
    for (const sparsity of [0, ...grid.sparsities]) {
      for (const method of grid.methods) {
        if ((method === 'dense') !== (sparsity === 0)) continue;
        const { lambda, provisional } = lambdaFor(grid, runs, model, method);
        const cell = runs.filter(
          (r) =>
            r.model === model &&
            r.method === method &&
            r.sparsity === sparsity &&
            r.lambda === lambda &&
            grid.seeds.includes(r.seed),
        );
        const first = cell[0];
        if (!first) continue;
        const acc = meanStd(cell.map((r) => r.result.testAccuracy));
        const lat = latency.find((l) => l.model === model && l.sparsity === sparsity);
        const mean = (f: (r: RunRecord) => number): number =>
          cell.reduce((s, r) => s + f(r), 0) / cell.length;
        rows.push({
          model,
          dataset: 'fashion-mnist',
          trainImages: first.context.data.train,
          testImages: first.context.data.test,
          epochs: totalEpochs(PROTOCOLS[model]),
          seeds: cell.length,
          method,
          sparsity,
          accuracyMean: acc.mean,
          accuracyStd: acc.std,
          // the dense run's MACs, else the ratio the latency job measured on the same architectures
          macsReduction: dense ? dense.result.macs / first.result.macs : (lat?.macRatio ?? Number.NaN),
          latencySpeedup: sparsity === 0 ? 1 : (lat?.speedup ?? null),
          seedList: cell.map((r) => r.seed),
          lambda,
          provisional,
          exactK: cell.every((r) => r.result.exactK),
          params: first.result.params,
          macs: first.result.macs,
          sparsityBeforeExactK:
            first.result.sparsityBeforeExactK === null
              ? null
              : mean((r) => r.result.sparsityBeforeExactK ?? 0),
          trainSeconds: mean((r) => r.result.trainSeconds),
          trainCpuSeconds: mean((r) => r.result.trainCpuSeconds),
        });
      }
    }
  }
  return rows;
}

/** `docs/results-summary.json`: `{ rows }` in the external schema. */
export function summaryJson(rows: readonly ReportRow[]): { rows: SummaryRow[] } {
  return {
    rows: rows.map((r) => ({
      model: r.model,
      dataset: r.dataset,
      trainImages: r.trainImages,
      testImages: r.testImages,
      epochs: r.epochs,
      seeds: r.seeds,
      method: r.method,
      sparsity: r.sparsity,
      accuracyMean: r.accuracyMean,
      accuracyStd: r.accuracyStd,
      macsReduction: Number.isFinite(r.macsReduction) ? r.macsReduction : 1,
      latencySpeedup: r.latencySpeedup,
    })),
  };
}

function table(header: string[], body: string[][]): string {
  const line = (cells: string[]) => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(header), `|${header.map(() => '---').join('|')}|`, ...body.map(line)].join('\n');
}

const pct = (x: number): string => (100 * x).toFixed(2);

/** Cells (model, method, level, seed) of the grid that have no result yet. */
export function missingCells(records: readonly PaperRecord[], grid: ReportGrid): string[] {
  const rows = reportRows(records, grid);
  const out: string[] = [];
  for (const model of grid.models) {
    for (const sparsity of [0, ...grid.sparsities]) {
      for (const method of grid.methods) {
        if ((method === 'dense') !== (sparsity === 0) || !methodApplies(model, method)) continue;
        const row = rows.find((r) => r.model === model && r.method === method && r.sparsity === sparsity);
        const have = row?.seedList ?? [];
        const lacking = grid.seeds.filter((s) => !have.includes(s));
        if (lacking.length > 0 || row?.provisional) {
          out.push(
            `${model} · ${method} · ${(100 * sparsity).toFixed(0)}% · ${lacking.length ? `seeds ${lacking.join(', ')} missing` : ''}${row?.provisional ? `${lacking.length ? '; ' : ''}lambda search incomplete` : ''}`,
          );
        }
      }
    }
  }
  return out;
}

/** The Markdown report; `inProgress` lists the cells with per-epoch checkpoints but no record yet. */
export function renderMarkdown(
  records: readonly PaperRecord[],
  grid: ReportGrid,
  inProgress: readonly InProgress[] = [],
): string {
  const rows = reportRows(records, grid);
  const runs = runsOf(records);
  const first = [...records].sort((a, b) => a.context.startedAt.localeCompare(b.context.startedAt))[0];
  const last = [...records].sort((a, b) => b.context.finishedAt.localeCompare(a.context.finishedAt))[0];
  const commands = [...new Set(records.map((r) => r.context.command))];
  const machines = [...new Set(records.map((r) => JSON.stringify(r.context.machine)))].map(
    (m) => JSON.parse(m) as PaperRecord['context']['machine'],
  );
  const wall = records.reduce((s, r) => s + r.context.wallSeconds, 0);
  const out: string[] = [
    '# Results: k-level structured sparsity on Fashion-MNIST at full scale',
    '',
    '_Generated by `npm run bench:paper` (packages/demo/src/paper) from `docs/results-runs.jsonl`, one line per finished job; `npm run bench:paper -- --resume` continues the grid, `--report-only` re-renders this page. Do not edit by hand: what the numbers say, and what did not work, is in [the auto-lambda concepts page](concepts/auto-lambda.md#measured-at-full-scale)._',
    '',
    '## Run',
    '',
    `- Command(s): ${commands.map((c) => `\`${c}\``).join('; ') || '(none yet)'}`,
    `- Dates: ${first ? `${first.context.startedAt} to ${last?.context.finishedAt}` : '-'}; ${records.length} job(s) done, ${formatDuration(wall)} of job wall time in total.`,
    ...machines.map(
      (m) =>
        `- Machine: ${m.cpuModel}, ${m.cores} cores, Node ${m.node}, tfjs ${m.tfjs} on the \`${m.backend}\` backend. The machine was shared with other jobs (load averages per job are in the JSONL), so wall times are pessimistic; process CPU seconds are given beside them.`,
    ),
    '',
    '## Protocol',
    '',
    '- Data: Fashion-MNIST, the 60,000 training images minus a fixed validation split of 5,000 carved from them (seeded, the same for every run; every hyperparameter choice is made on it, never on the test set), and all 10,000 test images.',
    ...Object.entries(PROTOCOLS)
      .filter(([m]) => grid.models.includes(m as PaperModel))
      .map(
        ([m, p]) =>
          `- ${m}: ${totalEpochs(p)} epochs for every method: a main phase of ${p.mainEpochs} epochs (momentum SGD ${p.momentum}, batch ${p.batchSize}, cosine lr ${p.lr} -> ${p.lrMin} per epoch), then ${p.finetuneEpochs} fine-tune epochs (cosine lr ${p.finetuneLr} -> ${p.lrMin}). HSPG methods: prox-SGD for the first ${p.proxEpochs} epochs of the main phase, then the half-space stage (epsilon ${p.epsilon}) in the same optimizer (\`hspg({ switchAt })\`).`,
      ),
    '- Groups: the filters of every conv layer and the neurons of the hidden dense layer; sparsity s keeps round((1 - s) x groups) of every layer. Every sparse method ends with the exact-k step (`finalize()`), physical pruning (`prune()`, outputs checked against the sparse model) and the fine-tune of the pruned model; dense and the pruned architecture trained from scratch run the same schedule (main phase + fine-tune phase) without pruning.',
    "- Methods: dense; WGSEF with lambda `auto` (no search) and with the best numeric lambda, each prox-SGD only or then HSPG; group lasso (best lambda) prox-SGD or then HSPG; magnitude: the dense model after its main phase, the k filters/neurons of largest L2 norm per layer kept, then the fine-tune; on models with BatchNorm, `scales` variants of WGSEF `auto` + HSPG and of magnitude pruning measure (shrink, rank, cut) every BN-followed filter by its BN gamma and beta only (`batchNorm: 'scales'`, network slimming's criterion); scratch: the pruned architecture trained from a fresh initialisation.",
    `- Hyperparameter search, the same budget for every method with a free lambda: ${Object.values(LAMBDA_GRID)[0]?.length ?? 0} candidates each (${Object.entries(
      LAMBDA_GRID,
    )
      .map(([m, g]) => `${m}: ${g.join(', ')}`)
      .join(
        '; ',
      )}), run at ${(100 * grid.searchSparsity).toFixed(0)}% and seed ${grid.searchSeed}, chosen by validation accuracy after the fine-tune; that lambda is used at every level and seed. The schedule itself is shared by all methods (no per-method schedule search); \`auto\`, dense, magnitude and scratch have no lambda.`,
    '- Accuracy: top-1 on the 10,000 test images after the fine-tune, mean ± sample std over the seeds done (no spread with one seed: such rows cannot claim a difference smaller than the seed-to-seed spread of the other rows). MACs reduction: dense MACs / pruned MACs per sample. Latency speedup: dense vs the pruned architecture of the level on wasm (batch 64, process CPU-time clock, interleaved runs).',
    '',
    '## Results',
    '',
  ];
  for (const model of grid.models) {
    const mrows = rows.filter((r) => r.model === model);
    out.push(`### ${model}`, '');
    if (mrows.length === 0) {
      out.push('_No results yet._', '');
      continue;
    }
    const dense = mrows.find((r) => r.method === 'dense');
    out.push(
      table(
        [
          'sparsity',
          'method',
          'lambda',
          'test acc. (%)',
          'vs dense (pt)',
          'seeds',
          'exact k',
          'zero before exact-k',
          'params',
          'MACs (reduction)',
          'wasm speedup @64',
          'train time (wall / CPU)',
        ],
        mrows.map((r) => [
          `${(100 * r.sparsity).toFixed(0)}%`,
          METHOD_LABELS[r.method as PaperMethod] ?? r.method,
          r.lambda === null ? '-' : `${r.lambda}${r.provisional ? ' (search incomplete)' : ''}`,
          r.seedList.length > 1
            ? `${pct(r.accuracyMean)} ± ${pct(r.accuracyStd)}`
            : `${pct(r.accuracyMean)} (1 seed)`,
          dense && r.method !== 'dense' ? (100 * (r.accuracyMean - dense.accuracyMean)).toFixed(2) : '-',
          r.seedList.join(', '),
          r.method === 'dense' ? '-' : r.exactK ? 'yes' : 'NO',
          r.sparsityBeforeExactK === null ? '-' : `${(100 * r.sparsityBeforeExactK).toFixed(1)}%`,
          formatInt(r.params),
          `${formatInt(r.macs)} (${formatRatio(r.macsReduction)})`,
          r.latencySpeedup === null ? 'not measured' : formatRatio(r.latencySpeedup),
          `${formatDuration(r.trainSeconds)} / ${formatDuration(r.trainCpuSeconds)}`,
        ]),
      ),
      '',
    );
  }
  const searches = runs.filter(
    (r) => isSearched(r.method) && r.sparsity === grid.searchSparsity && r.seed === grid.searchSeed,
  );
  if (searches.length > 0) {
    out.push(
      '## Lambda search (validation split)',
      '',
      table(
        ['model', 'method', 'lambda', 'val. acc. (%)', 'zero before exact-k'],
        searches.map((r) => [
          r.model,
          r.method,
          String(r.lambda),
          pct(r.result.valAccuracy),
          r.result.sparsityBeforeExactK === null
            ? '-'
            : `${(100 * r.result.sparsityBeforeExactK).toFixed(1)}%`,
        ]),
      ),
      '',
    );
  }
  if (inProgress.length > 0) {
    out.push(
      '## In progress (checkpointed, resumed by `--resume`)',
      '',
      table(
        ['cell', 'stage', 'epochs done', 'last train loss', 'last train acc.'],
        inProgress.flatMap((c) =>
          c.stages.map((s) => [
            c.cell,
            s.stage,
            String(s.epochsDone),
            s.lastLoss === undefined ? '-' : s.lastLoss.toFixed(4),
            s.lastAcc === undefined ? '-' : pct(s.lastAcc),
          ]),
        ),
      ),
      '',
    );
  }
  const missing = missingCells(records, grid);
  out.push('## Missing cells', '');
  out.push(
    missing.length === 0 ? 'None: the grid is complete.' : missing.map((m) => `- ${m}`).join('\n'),
    '',
  );
  return `${out.join('\n')}\n`;
}

/** Writes the Markdown report and the JSON summary. */
export function writeReport(
  records: readonly PaperRecord[],
  a: ReportGrid & { out: string; summary: string; cacheDir?: string },
): void {
  const rows = reportRows(records, a);
  mkdirSync(dirname(a.out), { recursive: true });
  mkdirSync(dirname(a.summary), { recursive: true });
  writeFileSync(a.summary, `${JSON.stringify(summaryJson(rows), null, 2)}\n`);
  writeFileSync(a.out, renderMarkdown(records, a, a.cacheDir ? checkpointsInProgress(a.cacheDir) : []));
}
