/**
 * The results file of the full-scale experiment: one JSON object per line (JSONL), appended as soon as a
 * job finishes, so a killed run loses at most the job in progress and `--resume` skips what is done. The
 * file in the repository (`docs/results-runs.jsonl`) is the resume state.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { RunResult } from './cell';
import type { Job } from './grid';

/** Where and when a record was produced. */
export interface RecordContext {
  command: string;
  machine: { cpuModel: string; cores: number; node: string; tfjs: string; backend: string };
  startedAt: string;
  finishedAt: string;
  /** Wall seconds of the job, and the 1-minute load average at its start and end. */
  wallSeconds: number;
  loadAverage: [number, number];
  data: { train: number; val: number; test: number };
  protocol: unknown;
}

/** A finished training run. */
export type RunRecord = Extract<Job, { kind: 'run' }> & {
  key: string;
  result: RunResult;
  context: RecordContext;
};

/** A latency measurement of one level's pruned architecture against the dense model (wasm). */
export interface LatencyRecord {
  kind: 'latency';
  key: string;
  model: Job['model'];
  sparsity: number;
  batchSize: number;
  clock: 'cpu' | 'wall';
  runs: number;
  denseMs: number;
  prunedMs: number;
  speedup: number;
  pairedSpeedup: number;
  macRatio: number;
  noisy: boolean;
  context: RecordContext;
}

export type PaperRecord = RunRecord | LatencyRecord;

/** Reads every record of `path` (none when it does not exist); a broken line throws naming the line. */
export function readRecords(path: string): PaperRecord[] {
  if (!existsSync(path)) return [];
  const lines = readFileSync(path, 'utf8').split('\n');
  const out: PaperRecord[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      out.push(JSON.parse(line) as PaperRecord);
    } catch (err) {
      throw new Error(
        `bench:paper: ${path} line ${i + 1} is not JSON (${(err as Error).message}); fix or delete that line (a run killed mid-write leaves a partial last line).`,
      );
    }
  });
  return out;
}

/** Appends one record as a line (creating the directory). */
export function appendRecord(path: string, record: PaperRecord): void {
  mkdirSync(dirname(path), { recursive: true });
  appendFileSync(path, `${JSON.stringify(record)}\n`);
}
