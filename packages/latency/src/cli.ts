#!/usr/bin/env node
/** The `klevel-latency` executable: runs {@link runCli} on the process arguments and exits with its code. */
import { runCli } from './cli-main';

runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`klevel-latency: unexpected error: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exitCode = 1;
  },
);
