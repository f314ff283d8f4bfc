/**
 * Command-line helpers of `bench:paper` that are not experiment options: where the JSON goes and the
 * report-only options (`--discussion`, `--note`, `--merge`). Pure.
 */
import { CommanderError } from 'commander';

/** `docs/results.md` -> `docs/results.json`. */
export function jsonPathFor(markdownPath: string): string {
  return `${markdownPath.replace(/\.md$/i, '')}.json`;
}

/** Splits `--discussion <file>` and `--note <text>` (report-only options) from the experiment's argv. */
export function splitReportArgs(argv: string[]): {
  rest: string[];
  discussion?: string;
  notes: string[];
  merge: string[];
} {
  const rest: string[] = [];
  const notes: string[] = [];
  const merge: string[] = [];
  let discussion: string | undefined;
  const take = (name: string, v: string): void => {
    if (name === '--discussion') discussion = v;
    else if (name === '--note') notes.push(v);
    else merge.push(...v.split(',').filter((f) => f.trim() !== ''));
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(0, eq) : a;
    if (name === '--discussion' || name === '--note' || name === '--merge') {
      if (eq > 0) {
        take(name, a.slice(eq + 1));
        continue;
      }
      const v = argv[i + 1];
      if (v === undefined || v.startsWith('--')) {
        throw new CommanderError(1, 'bench:paper.missingValue', `${a} needs a value.`);
      }
      take(name, v);
      i++;
    } else rest.push(a);
  }
  return discussion === undefined ? { rest, notes, merge } : { rest, discussion, notes, merge };
}
