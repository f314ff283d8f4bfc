/**
 * `npm run bench:paper`: runs the jobs of the grid that the results file does not hold yet (`--resume`),
 * appending each record as it finishes, then renders `docs/results.md` and `docs/results-summary.json`
 * from whatever is done. `--help` lists every option.
 */
import { existsSync } from 'node:fs';
import { CommanderError } from 'commander';
import { PAPER_DEFAULTS, type PaperArgs, paperProgram, parsePaperArgs } from './args';
import { runGrid } from './harness';
import { type PaperRecord, readRecords } from './records';
import { coveredGrid, writeReport } from './report';

/** Renders the report of everything `records` holds and the full grid, whatever slice `a` ran. */
function report(records: readonly PaperRecord[], a: PaperArgs): void {
  writeReport(records, {
    ...coveredGrid(PAPER_DEFAULTS, a, records),
    out: a.out,
    summary: a.summary,
    cacheDir: a.cacheDir,
  });
}

function command(argv: string[]): string {
  const quoted = argv.map((a) => (/^[\w./,=:-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`));
  return ['npm run bench:paper', ...(argv.length ? ['--', ...quoted] : [])].join(' ');
}

async function run(a: PaperArgs, argv: string[]): Promise<number> {
  const log = (line: string): void => {
    process.stderr.write(`${line}\n`);
  };
  if (!a.reportOnly) {
    const existing = existsSync(a.results) ? readRecords(a.results).length : 0;
    if (existing > 0 && !a.resume) {
      process.stderr.write(
        `bench:paper: ${a.results} already holds ${existing} results; pass --resume to continue it (done jobs are skipped), or --results <new file> to start another.\n`,
      );
      return 1;
    }
    const ran = await runGrid({
      spec: {
        models: a.models,
        methods: a.methods,
        sparsities: a.sparsities,
        seeds: a.seeds,
        searchAt: { sparsity: a.searchSparsity, seed: a.searchSeed },
      },
      results: a.results,
      cacheDir: a.cacheDir,
      dataDir: a.dataDir,
      trainLimit: a.trainLimit,
      testLimit: a.testLimit,
      protocol: {
        ...(a.mainEpochs === undefined ? {} : { mainEpochs: a.mainEpochs }),
        ...(a.proxEpochs === undefined ? {} : { proxEpochs: a.proxEpochs }),
        ...(a.finetuneEpochs === undefined ? {} : { finetuneEpochs: a.finetuneEpochs }),
      },
      latencyRuns: a.latencyRuns,
      latencyBatch: a.latencyBatch,
      command: command(argv),
      maxJobs: a.maxJobs,
      onRecord: (records) => report(records, a),
      log,
      bars: a.progress && Boolean(process.stderr.isTTY),
    });
    log(`bench:paper: ${ran} job(s) run`);
  }
  report(readRecords(a.results), a);
  log(`bench:paper: wrote ${a.out} and ${a.summary} from ${a.results}`);
  return 0;
}

/** Runs the CLI with `argv` (without node and the script); returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  let a: PaperArgs;
  try {
    a = parsePaperArgs(argv);
  } catch (err) {
    if (
      err instanceof CommanderError &&
      (err.code === 'commander.helpDisplayed' || err.code === 'commander.help')
    ) {
      process.stdout.write(paperProgram().helpInformation());
      return 0;
    }
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(
      `bench:paper: ${message.replace(/^error: /, '')}\nRun with --help for the options.\n`,
    );
    return 1;
  }
  return run(a, argv);
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
