/** Dense vs pruned latency on the backend the user picks, through @klevel/latency's `benchmarkLatency`. */
import { benchmarkLatency, type LatencyReport, type ProgressEvent } from '@klevel/latency';
import type * as tfl from '@tensorflow/tfjs-layers';
import { type BackendName, useBackend } from './backends';

/** Options of {@link benchmarkDenseVsPruned}. */
export interface BenchSettings {
  backend: BackendName;
  batchSizes: number[];
  /** Timed runs per model and batch size. */
  runs: number;
  onProgress?: (event: ProgressEvent) => void;
}

/**
 * Measures the unpruned (`dense`) and the pruned model on one backend. The backend is activated first (and
 * given klevel's kernels on wasm/cpu), so `benchmarkLatency` only measures.
 */
export async function benchmarkDenseVsPruned(
  dense: tfl.LayersModel,
  pruned: tfl.LayersModel,
  s: BenchSettings,
): Promise<LatencyReport> {
  await useBackend(s.backend);
  return benchmarkLatency(
    [
      { name: 'dense', model: dense },
      { name: 'pruned', model: pruned },
    ],
    {
      backends: [s.backend],
      batchSizes: s.batchSizes,
      warmupRuns: 3,
      runs: s.runs,
      ...(s.onProgress ? { onProgress: s.onProgress } : {}),
    },
  );
}
