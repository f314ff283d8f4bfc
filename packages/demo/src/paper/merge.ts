/**
 * Merges the results of runs that split the seeds between processes (e.g. one process per seed on a
 * multi-core machine) into one results object. Pure: the runs must agree on everything but the seeds.
 */
import type { PaperOptions } from './options';
import type { PaperResults } from './render';
import { summarize } from './stats';

/** Options that must be equal in every merged part (everything that changes a run's numbers). */
const MUST_MATCH: (keyof PaperOptions)[] = [
  'sparsities',
  'epochs',
  'finetuneEpochs',
  'trainLimit',
  'testLimit',
  'methods',
  'batchSize',
  'lr',
  'lrMin',
  'lambdaWgsef',
  'lambdaGroupLasso',
  'hspgEpsilon',
  'model',
];

/**
 * Concatenates the runs of `parts` (disjoint seeds, identical settings), recomputes the summary and spans
 * the dates. The latency of the merged result is left empty: measure it once for the merged options.
 * @throws Error when the parts differ in a setting or share a seed.
 */
export function mergeResults(parts: PaperResults[]): PaperResults {
  const first = parts[0];
  if (!first) throw new RangeError('mergeResults: expected at least one results object, got none.');
  for (const [i, p] of parts.entries()) {
    for (const key of MUST_MATCH) {
      const a = JSON.stringify(first.options[key]);
      const b = JSON.stringify(p.options[key]);
      if (a !== b) {
        throw new Error(
          `mergeResults: part ${i} has ${key} = ${b} but part 0 has ${a}; only runs with the same settings (different seeds) can be merged.`,
        );
      }
    }
    if (p.data.train !== first.data.train || p.data.test !== first.data.test) {
      throw new Error(
        `mergeResults: part ${i} used different data (${JSON.stringify(p.data)} vs ${JSON.stringify(first.data)}).`,
      );
    }
  }
  const seeds = parts.flatMap((p) => p.options.seeds);
  if (new Set(seeds).size !== seeds.length) {
    throw new Error(
      `mergeResults: the parts share seeds (${seeds.join(', ')}); each seed must come from one part.`,
    );
  }
  const byStart = [...parts].sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  const byEnd = [...parts].sort((a, b) => a.finishedAt.localeCompare(b.finishedAt));
  const startedAt = (byStart[0] as PaperResults).startedAt;
  const finishedAt = (byEnd.at(-1) as PaperResults).finishedAt;
  const runs = parts.flatMap((p) => p.runs);
  return {
    ...first,
    command: parts.map((p) => p.command).join(' ; '),
    startedAt,
    finishedAt,
    wallSeconds: (Date.parse(finishedAt) - Date.parse(startedAt)) / 1000,
    machine: {
      ...first.machine,
      loadAverage: {
        start: (byStart[0] as PaperResults).machine.loadAverage.start,
        end: (byEnd.at(-1) as PaperResults).machine.loadAverage.end,
      },
    },
    options: { ...first.options, seeds: [...seeds].sort((a, b) => a - b) },
    runs,
    summary: summarize(runs),
    latency: [],
    notes: [...new Set(parts.flatMap((p) => p.notes))],
  };
}
