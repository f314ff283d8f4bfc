#!/usr/bin/env node
/** `npm run demo`: parses the options and runs the demo pipeline; exit code 1 with a message on errors. */
import { CommanderError } from 'commander';
import { demoProgram, parseDemoOptions } from './options';
import { runDemo } from './pipeline';

async function main(argv: string[]): Promise<number> {
  let options: ReturnType<typeof parseDemoOptions>;
  try {
    options = parseDemoOptions(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.help') {
        process.stdout.write(demoProgram().helpInformation());
        return 0;
      }
      process.stderr.write(
        `klevel-demo: ${err.message.replace(/^error: /, '')}\nRun with --help for the options.\n`,
      );
      return 1;
    }
    throw err;
  }
  await runDemo(options, { command: `npm run demo${argv.length ? ` -- ${argv.join(' ')}` : ''}` });
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`klevel-demo: error: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exitCode = 1;
  },
);
