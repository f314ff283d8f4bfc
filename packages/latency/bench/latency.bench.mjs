// Latency acceptance benchmark of @klevel/latency (imports the built dist: `npm run build` first, or run it
// through `npm run bench -- latency`). VGG-small (conv 32-32-64-64 + BN, dense 300; 1.01M params) dense
// against the same net with 50% of the filters and units (16-16-32-32, dense 150), i.e. the architecture a
// 50%-filter structural pruning produces, built directly. Measured on wasm at batch 1 and 64 with the models
// interleaved run by run. Acceptance (issue 7): at batch 64, speedup >= 0.8 x MAC ratio (efficiency >= 0.8).
import { benchmarkLatency, toMarkdown } from '@klevel/latency';
import { vggSmall } from '@klevel/zoo';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';

export const ACCEPTANCE_EFFICIENCY = 0.8;

/**
 * @param {{ runs?: number, warmupRuns?: number, batchSizes?: number[] }} [options]
 * @returns {Promise<{ title: string, markdown: string, report: import('@klevel/latency').LatencyReport }>}
 */
export async function run(options = {}) {
  const runs = options.runs ?? 40;
  const warmupRuns = options.warmupRuns ?? 5;
  const batchSizes = options.batchSizes ?? [1, 64];
  await tf.setBackend('cpu'); // build the models somewhere; benchmarkLatency switches to wasm itself
  const dense = vggSmall({ seed: 1 });
  const pruned = vggSmall({ seed: 1, filters: [16, 16, 32, 32], units: 150 });
  const report = await benchmarkLatency(
    [
      { name: 'vgg-small dense', model: dense },
      { name: 'vgg-small 50% filters', model: pruned },
    ],
    { backends: ['wasm'], batchSizes, runs, warmupRuns },
  );
  dense.dispose();
  pruned.dispose();
  const r64 = report.results.find((r) => r.batchSize === 64 && r.model === 'vgg-small 50% filters');
  const verdict = r64
    ? `**Acceptance (wasm, batch 64): speedup ${r64.speedup.toFixed(2)}x, MAC ratio ${r64.macRatio?.toFixed(2)}x, ` +
      `speedup / MAC ratio = ${r64.efficiency?.toFixed(2)} (required >= ${ACCEPTANCE_EFFICIENCY}): ` +
      `${(r64.efficiency ?? 0) >= ACCEPTANCE_EFFICIENCY ? 'PASS' : 'FAIL'}${r64.noisy ? ' (noisy cell)' : ''}.**`
    : 'Batch 64 was not measured: no acceptance verdict.';
  const table = toMarkdown(report, { title: 'x' })
    .split('\n')
    .filter((l) => l.startsWith('|') || l.startsWith('⚠'))
    .join('\n');
  const markdown = [
    `VGG-small dense (${report.models[0].params.toLocaleString('en-US')} params, ${(report.models[0].macs / 1e6).toFixed(2)} M MACs/sample) ` +
      `vs 50% filters and units (${report.models[1].params.toLocaleString('en-US')} params, ${(report.models[1].macs / 1e6).toFixed(2)} M MACs/sample), ` +
      `built directly with \`vggSmall({ filters: [16, 16, 32, 32], units: 150 })\`. wasm (SIMD, 1 thread), ${warmupRuns} warm-up and ` +
      `${runs} timed runs per model, interleaved; times in ms per batch.`,
    '',
    table,
    '',
    verdict,
    '',
    `Command: \`npm run bench -- latency\` (or \`node -e "import('./packages/latency/bench/latency.bench.mjs').then(m => m.run()).then(r => console.log(r.markdown))"\`).`,
  ].join('\n');
  return { title: 'Latency: VGG-small dense vs 50%-filters (wasm)', markdown, report };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { markdown } = await run();
  console.log(markdown);
}
