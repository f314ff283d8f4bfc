/** The demo's latency stage: dense vs pruned with `benchmarkLatency` (@klevel/latency), as summary cells. */
import { benchmarkLatency } from '@klevel/latency/node';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { DemoOptions } from './options';
import type { LatencyCell } from './summary';

/** Measures dense vs pruned at every `o.latencyBatchSizes` on `backend`; one cell per batch size. */
export async function measureLatency(
  backend: string,
  dense: tfl.LayersModel,
  pruned: tfl.LayersModel,
  o: Pick<DemoOptions, 'latencyBatchSizes' | 'latencyRuns' | 'latencyClock' | 'seed'>,
  log: (line: string) => void,
): Promise<LatencyCell[]> {
  log(
    `latency: ${backend}, batch ${o.latencyBatchSizes.join(', ')}, ${o.latencyRuns} runs per model (${o.latencyClock} clock)`,
  );
  const report = await benchmarkLatency(
    [
      { name: 'dense', model: dense },
      { name: 'pruned', model: pruned },
    ],
    {
      backends: [backend],
      batchSizes: o.latencyBatchSizes,
      runs: o.latencyRuns,
      warmupRuns: 3,
      clock: o.latencyClock,
      seed: o.seed,
    },
  );
  const cells: LatencyCell[] = [];
  for (const r of report.results.filter((x) => x.model === 'pruned')) {
    const base = report.results.find(
      (x) => x.model === 'dense' && x.batchSize === r.batchSize && x.backend === r.backend,
    );
    if (!base) continue;
    cells.push({
      batchSize: r.batchSize,
      backend: r.backend,
      denseMs: base.median,
      prunedMs: r.median,
      speedup: r.speedup,
      pairedSpeedup: r.pairedSpeedup,
      macRatio: r.macRatio,
      efficiency: r.efficiency,
      noisy: r.noisy || base.noisy,
    });
  }
  return cells;
}
