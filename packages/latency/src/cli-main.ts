/**
 * The `klevel-latency` command line, as a function (`runCli`) so it can be tested in-process; `cli.ts` is the
 * executable wrapper. Argument parsing: commander; progress bars: cli-progress; terminal table: cli-table3.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { useBestBackend } from '@klevel/wasm-train/node';
import cliProgress from 'cli-progress';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { benchmarkLatency } from './node/benchmark';
import { toHtml } from './report/html';
import { toMarkdown } from './report/markdown';
import { shellQuote } from './report/shell-quote';
import { toTerminalTable } from './report/terminal';
import type { BenchmarkOptions, LatencyReport, ProgressEvent } from './types';

/** Where the CLI writes; defaults to the process streams. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Show progress bars (default: when stderr is a TTY). */
  progress?: boolean;
}

function intList(flag: string) {
  return (value: string): number[] => {
    const parts = value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (parts.length === 0) throw new InvalidArgumentError(`${flag} needs a comma-separated list, e.g. 1,64`);
    return parts.map((p) => {
      const n = Number(p);
      if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`'${p}' is not a positive integer`);
      return n;
    });
  };
}

function positiveInt(min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min)
      throw new InvalidArgumentError(`'${value}' is not an integer >= ${min}`);
    return n;
  };
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!(n > 0) || !Number.isFinite(n)) throw new InvalidArgumentError(`'${value}' is not a positive number`);
  return n;
}

function stringList(flag: string) {
  return (value: string): string[] => {
    const parts = value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (parts.length === 0)
      throw new InvalidArgumentError(`${flag} needs a comma-separated list, e.g. wasm,cpu`);
    return parts;
  };
}

function writeOutput(path: string, text: string): string {
  const full = resolve(path);
  try {
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, text);
  } catch (err) {
    throw new Error(`cannot write ${path}: ${(err as Error).message}`);
  }
  return full;
}

/** One line per non-baseline model and cell: speedup, MAC ratio and efficiency. */
export function summaryLines(report: LatencyReport): string[] {
  const base = report.models[0]?.name;
  return report.results
    .filter((r) => r.model !== base)
    .map(
      (r) =>
        `${r.model} vs ${base} on ${r.backend}, batch ${r.batchSize}: speedup ${r.speedup.toFixed(2)}x, ` +
        `MAC ratio ${r.macRatio === null ? 'n/a' : `${r.macRatio.toFixed(2)}x`}, efficiency (speedup / MAC ratio) ` +
        `${r.efficiency === null ? 'n/a' : r.efficiency.toFixed(2)}${r.noisy ? ' (noisy)' : ''}`,
    );
}

function buildProgram(io: CliIo): Command {
  return new Command()
    .name('klevel-latency')
    .description(
      'Measure inference latency of tfjs layers models (model.json paths) per backend and batch size, next to ' +
        'their MACs; the first model is the baseline for speedup and efficiency (speedup / MAC ratio).',
    )
    .argument(
      '<models...>',
      'model.json files (or directories holding model.json); the first is the baseline',
    )
    .addOption(
      new Option('-b, --batch <sizes>', 'comma-separated batch sizes')
        .argParser(intList('--batch'))
        .default([1], '1'),
    )
    .option(
      '--backend <names>',
      'comma-separated backends, e.g. wasm,cpu (default: the best available)',
      stringList('--backend'),
    )
    .option('-r, --runs <n>', 'timed runs per model', positiveInt(1), 50)
    .option(
      '--time-budget <ms>',
      'instead of --runs: time budget per backend and batch size in ms',
      positiveNumber,
    )
    .option('-w, --warmup <n>', 'warm-up runs per model', positiveInt(0), 5)
    .option(
      '--input-shape <dims>',
      'input shape without batch dim when it cannot be inferred, e.g. 28,28,1',
      intList('--input-shape'),
    )
    .addOption(
      new Option(
        '--clock <clock>',
        "'wall' (latency) or 'cpu' (process CPU time; robust on a busy machine, wasm/cpu only)",
      )
        .choices(['wall', 'cpu'])
        .default('wall'),
    )
    .option(
      '--noise-threshold <x>',
      'flag results whose (max - min) / median exceeds this',
      positiveNumber,
      0.5,
    )
    .option('--json <file>', 'write the full report as JSON')
    .option('--md <file>', 'write a Markdown report')
    .option('--html <file>', 'write a self-contained HTML report with charts')
    .option('--title <text>', 'title of the Markdown and HTML reports', 'Inference latency')
    .option('--no-progress', 'do not show progress bars')
    .exitOverride()
    .configureOutput({
      writeOut: io.stdout,
      writeErr: io.stderr,
      // commander's messages start with 'error: '; every CLI error carries the program's name.
      outputError: (text, write) => write(`klevel-latency: ${text}`),
    });
}

interface CliOptions {
  batch: number[];
  backend?: string[];
  runs: number;
  timeBudget?: number;
  warmup: number;
  inputShape?: number[];
  noiseThreshold: number;
  clock: 'wall' | 'cpu';
  json?: string;
  md?: string;
  html?: string;
  title: string;
  progress: boolean;
}

/**
 * Runs `klevel-latency` with `argv` (the arguments after the executable and script) and returns the exit code:
 * 0 on success, 1 on any error (the message goes to `io.stderr`; nothing is half-written to the outputs).
 *
 * @example
 * const code = await runCli(['dense/model.json', 'pruned/model.json', '--batch', '1,64', '--json', 'out.json']);
 */
export async function runCli(
  argv: string[],
  io: CliIo = { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) },
): Promise<number> {
  const program = buildProgram(io);
  try {
    program.parse(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 1;
    throw err;
  }
  const opts = program.opts<CliOptions>();
  const models = program.processedArgs[0] as string[];
  const showProgress = opts.progress && (io.progress ?? Boolean(process.stderr.isTTY));
  const bars = showProgress
    ? new cliProgress.MultiBar(
        { format: ' {cell} {phase} [{bar}] {value}/{total}', hideCursor: true, clearOnComplete: false },
        cliProgress.Presets.shades_classic,
      )
    : null;
  const current: { key: string; bar: cliProgress.SingleBar | null } = { key: '', bar: null };
  const onProgress = (e: ProgressEvent) => {
    if (!bars) return;
    const key = `${e.backend} b${e.batchSize} ${e.phase}`;
    if (key !== current.key) {
      current.bar?.update(current.bar.getTotal());
      current.key = key;
      current.bar = bars.create(e.total, 0, {
        cell: `${e.backend} batch ${e.batchSize}`,
        phase: e.phase.padEnd(6),
      });
    }
    current.bar?.setTotal(e.total);
    current.bar?.update(e.done);
  };
  try {
    let backends = opts.backend;
    if (!backends) {
      const best = await useBestBackend();
      io.stderr(`backend: ${best.backend} (${best.reason})\n`);
      backends = [best.backend];
    }
    const options: BenchmarkOptions = {
      batchSizes: opts.batch,
      backends,
      runs: opts.runs,
      warmupRuns: opts.warmup,
      noiseThreshold: opts.noiseThreshold,
      clock: opts.clock,
      onProgress,
      ...(opts.timeBudget !== undefined ? { timeBudgetMs: opts.timeBudget } : {}),
      ...(opts.inputShape !== undefined ? { inputShape: opts.inputShape } : {}),
    };
    const report = await benchmarkLatency(models, options);
    bars?.stop();
    const command = ['klevel-latency', ...argv].map(shellQuote).join(' ');
    io.stdout(`${toTerminalTable(report)}\n`);
    for (const line of summaryLines(report)) io.stdout(`${line}\n`);
    for (const m of report.models) {
      if (m.macs === null) io.stderr(`warning: MACs of ${m.name} could not be counted: ${m.macsError}\n`);
    }
    if (opts.json) io.stdout(`JSON: ${writeOutput(opts.json, `${JSON.stringify(report, null, 2)}\n`)}\n`);
    if (opts.md)
      io.stdout(`Markdown: ${writeOutput(opts.md, toMarkdown(report, { title: opts.title, command }))}\n`);
    if (opts.html)
      io.stdout(`HTML: ${writeOutput(opts.html, toHtml(report, { title: opts.title, command }))}\n`);
    return 0;
  } catch (err) {
    bars?.stop();
    io.stderr(`klevel-latency: error: ${(err as Error).message}\n`);
    return 1;
  }
}
