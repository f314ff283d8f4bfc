/**
 * `npm run bench:paper`: parses the options, runs the experiment, writes `docs/results.md` and
 * `docs/results.json`. `--help` lists every option.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import os from 'node:os';
import { mergeResults } from './merge';
import { paperProgram, parsePaperArgs } from './options';
import { type PaperResults, renderResultsMarkdown } from './render';
import { jsonPathFor, splitReportArgs } from './report-args';
import { measureLatency, runPaperExperiment } from './run';

/** Runs the CLI with `argv` (without node and the script); returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(
      `${paperProgram().helpInformation()}\nReport-only options:\n  --discussion <file>  Markdown inserted as the report's Discussion section\n  --note <text>        a note shown at the top of the report (repeatable)\n  --merge <a.json,...> merge runs that split the seeds between processes (same settings), measure\n                       latency once (--latency-runs; 0 keeps the parts' latency, e.g. to\n                       re-render one results.json) and write the combined report to --out\n`,
    );
    return 0;
  }
  let options: ReturnType<typeof parsePaperArgs>;
  let report: ReturnType<typeof splitReportArgs>;
  try {
    report = splitReportArgs(argv);
    options = parsePaperArgs(report.rest);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(
      `bench:paper: ${message.replace(/^error: /, '')}\nRun with --help for the options.\n`,
    );
    return 1;
  }
  const discussion = report.discussion ? readFileSync(report.discussion, 'utf8') : '';
  const command = ['npm run bench:paper', ...(argv.length ? ['--', ...argv] : [])].join(' ');
  const log = (line: string): void => {
    process.stderr.write(`${line}\n`);
  };
  let results: PaperResults;
  if (report.merge.length > 0) {
    const parts = report.merge.map((f) => JSON.parse(readFileSync(f, 'utf8')) as PaperResults);
    results = mergeResults(parts);
    results.options = {
      ...results.options,
      out: options.out,
      ...(options.latencyRuns > 0 ? { latencyRuns: options.latencyRuns } : {}),
    };
    results.command = `${results.command} ; ${command}`;
    results.notes = [...results.notes, ...report.notes];
    if (options.latencyRuns === 0) {
      // re-render only: keep the latency the parts already hold (e.g. --merge docs/results.json)
      results.latency = parts.flatMap((p) => p.latency);
    } else {
      const load = os.loadavg()[0] ?? 0;
      results.latency = await measureLatency(results.options, log);
      results.notes.push(
        `Merged from ${parts.length} processes (${report.merge.join(', ')}), one per seed group, that ran at the same time. Latency was measured afterwards, at ${new Date().toISOString()}, 1-minute load average ${load.toFixed(1)} at its start and ${(os.loadavg()[0] ?? 0).toFixed(1)} at its end.`,
      );
    }
  } else {
    log(`bench:paper: ${JSON.stringify(options)}`);
    results = await runPaperExperiment(options, { log, command, notes: report.notes });
  }
  const md = resolve(options.out);
  mkdirSync(dirname(md), { recursive: true });
  writeFileSync(jsonPathFor(md), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(md, renderResultsMarkdown(results, discussion));
  log(`bench:paper: wrote ${md} and ${jsonPathFor(md)} in ${(results.wallSeconds / 60).toFixed(1)} min`);
  return 0;
}

// This module is the CLI entry (dist/paper/cli.js): importing it runs the command.
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`bench:paper: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
