/** Public data types of @klevel/latency: what `benchmarkLatency` takes and returns. */
import type * as tfl from '@tensorflow/tfjs-layers';
import type { LatencyStats } from './stats';

/** A model to benchmark: a path to a model.json (or its directory), or an in-memory model with a name. */
export type ModelInput = string | { name: string; model: tfl.LayersModel } | { name?: string; path: string };

/** Progress of a benchmark, reported after every measured or warm-up run. */
export interface ProgressEvent {
  phase: 'warmup' | 'timed';
  backend: string;
  batchSize: number;
  /** Runs done in this phase of this (backend, batch) cell, over all models. */
  done: number;
  /** Planned runs of the phase (for a time budget: an estimate that grows as runs complete). */
  total: number;
}

/** Options of `benchmarkLatency`. */
export interface BenchmarkOptions {
  /** Batch sizes to measure (default `[1]`); a non-empty list of positive integers. */
  batchSizes?: number[];
  /**
   * Backends to measure, each activated in turn: 'wasm', 'cpu' and 'tensorflow' through @klevel/wasm-train's
   * `useBestBackend({ backend })`; any other registered tfjs backend (e.g. 'webgl') through `tf.setBackend`.
   * Default: the active backend. The previously active backend is restored at the end.
   */
  backends?: string[];
  /** Untimed runs per model before timing, per (backend, batch) (default 5). */
  warmupRuns?: number;
  /** Timed runs per model (default 50). Ignored when `timeBudgetMs` is set. */
  runs?: number;
  /**
   * Instead of a fixed count: keep running (all models interleaved) until this many milliseconds of timed
   * runs have passed for the (backend, batch) cell, with at least `minRuns` runs per model.
   */
  timeBudgetMs?: number;
  /** Minimum timed runs per model under a time budget (default 5). */
  minRuns?: number;
  /**
   * Input shape without the batch dimension, for single-input models whose input shape has unknown dims.
   * Default: inferred from `model.inputs[i].shape`. Must agree with every known model dim.
   */
  inputShape?: number[];
  /**
   * `'wall'` (default): wall-clock latency. `'cpu'`: CPU time of this process (Node only), robust to other
   * processes on a shared machine; meaningful for single-threaded backends (wasm, cpu) only.
   */
  clock?: 'wall' | 'cpu';
  /** Relative min-max spread `(max - min) / median` above which a result is flagged noisy (default 0.5). */
  noiseThreshold?: number;
  /** Seed of the random inputs (default 0). */
  seed?: number;
  /** Called after every run. */
  onProgress?: (event: ProgressEvent) => void;
  /**
   * Multiply-accumulate counter (per sample). Default: `countFlops` from @klevel/groups. Return `total`.
   */
  countFlops?: (model: tfl.LayersModel) => { total: number };
}

/** One model's static description in a report. */
export interface ModelInfo {
  name: string;
  /** The file it was loaded from, or `null` for an in-memory model. */
  path: string | null;
  /** Trainable plus non-trainable parameters. */
  params: number;
  /** Multiply-accumulates per sample (from `countFlops`), or `null` when they could not be counted. */
  macs: number | null;
  /** Why `macs` is null. */
  macsError?: string;
  /** Input shapes without the batch dimension. */
  inputShapes: number[][];
}

/** Timings and derived numbers of one model on one backend at one batch size. */
export interface LatencyResult extends LatencyStats {
  model: string;
  backend: string;
  batchSize: number;
  /** Why this backend is active (from `useBestBackend`), for the record. */
  backendReason: string;
  /** Every timed run in milliseconds, in order. */
  timesMs: number[];
  /** Samples per second at the median: `batchSize * 1000 / median`. */
  throughput: number;
  params: number;
  /** MACs per sample, or null. */
  macs: number | null;
  /** MACs per batch (`macs * batchSize`), or null. */
  macsPerBatch: number | null;
  /** Peak bytes allocated by one inference (tf.profile) and the tensors/bytes live during it (tf.memory). */
  memory: { peakBytes: number; newBytes: number; numTensors: number; numBytes: number };
  /** Baseline (first model) median / this median; 1 for the baseline. */
  speedup: number;
  /**
   * Median over rounds of (baseline time / this time) within the same interleaved round: a paired estimate that
   * cancels slow drift and bursts of load shared by adjacent runs; 1 for the baseline.
   */
  pairedSpeedup: number;
  /** Baseline MACs / this model's MACs, or null. */
  macRatio: number | null;
  /** speedup / macRatio: the share of the theoretical gain actually obtained, or null. */
  efficiency: number | null;
  /** (max - min) / median. */
  spread: number;
  /** True when `spread` exceeds the noise threshold. */
  noisy: boolean;
}

/** Everything a benchmark measured, plus how and where. Serializable as JSON. */
export interface LatencyReport {
  /** ISO date of the run. */
  date: string;
  environment: {
    node: string;
    platform: string;
    arch: string;
    cpus: number;
    cpuModel: string;
    tfjs: string;
    /** 1-minute load average when the run started and when it ended (0 where the OS has none). */
    loadAverage: { start: number; end: number };
  };
  settings: {
    batchSizes: number[];
    backends: string[];
    warmupRuns: number;
    runs: number | null;
    timeBudgetMs: number | null;
    noiseThreshold: number;
    /** What the times measure: wall-clock latency or process CPU time. */
    clock: 'wall' | 'cpu';
    /** The models run interleaved, rotating the start model each round (ABAB..., then BABA...). */
    interleaved: true;
  };
  models: ModelInfo[];
  /** Ordered by backend, then batch size, then model. */
  results: LatencyResult[];
}
