// Latency acceptance benchmark of @klevel/latency (imports the built dist: `npm run build` first, or run it
// through `npm run bench -- latency`). VGG-small (conv 32-32-64-64 + BN, dense 300; 1.01M params) dense
// against the same net structurally pruned by @klevel/pruner to 50% of the filters and units of every hidden
// layer (16-16-32-32, dense 150; the largest-norm half kept). Measured on wasm at batch 1 and 64 with the models
// interleaved run by run, once with the wall clock (the latency users see) and once with process CPU time
// (insensitive to other processes competing for the cores of a shared machine; the 1-minute load average is
// printed with each table). Both with BatchNorm (the zoo default, the model the demo trains) and without it
// (BatchNorm scales with the activations, which halve, not with the MACs, which quarter). Acceptance (issue 7):
// at batch 64, speedup >= 0.8 x MAC ratio.
// With BatchNorm, a further section compares both models with their BatchNorms folded into the convs
// (`foldBatchNorm` of @klevel/pruner, how they would be exported): dense folded vs pruned folded is the fair
// deployment comparison; the pruned model with BatchNorm kept runs alongside to show what folding saves.
import { toMarkdown } from '@klevel/latency';
import { benchmarkLatency } from '@klevel/latency/node';
import { foldBatchNorm, prune } from '@klevel/pruner';
import { vggSmall } from '@klevel/zoo';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';

export const ACCEPTANCE_EFFICIENCY = 0.8;

function verdict(report, label) {
  const r = report.results.find((x) => x.batchSize === 64 && x.model !== report.models[0].name);
  if (!r) return `${label}: batch 64 was not measured, no verdict.`;
  const pass = (r.efficiency ?? 0) >= ACCEPTANCE_EFFICIENCY;
  return (
    `**${label}, wasm, batch 64: speedup ${r.speedup.toFixed(3)}x (paired ${r.pairedSpeedup.toFixed(3)}x), ` +
    `MAC ratio ${r.macRatio?.toFixed(3)}x, speedup / MAC ratio = ${r.efficiency?.toFixed(3)} ` +
    `(required >= ${ACCEPTANCE_EFFICIENCY}): ${pass ? 'PASS' : 'FAIL'}${r.noisy ? ' (noisy cell)' : ''}.**`
  );
}

function section(report, lowerLabel) {
  const label = `${lowerLabel[0].toUpperCase()}${lowerLabel.slice(1)}`;
  const table = toMarkdown(report, { title: 'x' })
    .split('\n')
    .filter((l) => l.startsWith('|') || l.startsWith('⚠'))
    .join('\n');
  const load = report.environment.loadAverage;
  return [
    `### ${label}`,
    '',
    `1-minute load average ${load.start.toFixed(1)} → ${load.end.toFixed(1)} on ${report.environment.cpus} cores.`,
    '',
    table,
    '',
    verdict(report, label),
  ].join('\n');
}

/**
 * @param {{ runs?: number, warmupRuns?: number, batchSizes?: number[], clocks?: Array<'wall' | 'cpu'>,
 *   variants?: Array<{ label: string, batchNorm: boolean }>, foldBatchNorm?: boolean }} [options]
 *   `foldBatchNorm` (default true): also measure the BatchNorm variants with BN folded into the convs.
 * @returns {Promise<{ title: string, markdown: string, reports: object[] }>}
 */
export async function run(options = {}) {
  const runs = options.runs ?? 40;
  const warmupRuns = options.warmupRuns ?? 5;
  const batchSizes = options.batchSizes ?? [1, 64];
  const clocks = options.clocks ?? ['wall', 'cpu'];
  const variants = options.variants ?? [
    { label: 'with BatchNorm', batchNorm: true },
    { label: 'without BatchNorm', batchNorm: false },
  ];
  await tf.setBackend('cpu'); // build and prune on cpu; benchmarkLatency switches to wasm itself
  const sections = [];
  const reports = [];
  for (const variant of variants) {
    const dense = vggSmall({ seed: 1, batchNorm: variant.batchNorm });
    // Lossy by design (the kept half is not retrained), so the output-equivalence check is off.
    const { model: pruned } = await prune(dense, {
      keep: { conv1: 16, conv2: 16, conv3: 32, conv4: 32, fc1: 150 },
      check: false,
    });
    const models = [
      { name: 'vgg-small dense', model: dense },
      { name: 'vgg-small 50% filters', model: pruned },
    ];
    const info = (m) => `${m.countParams().toLocaleString('en-US')} params`;
    sections.push(`## VGG-small ${variant.label}`, '', `Dense ${info(dense)} vs pruned ${info(pruned)}.`, '');
    for (const clock of clocks) {
      const report = await benchmarkLatency(models, {
        backends: ['wasm'],
        batchSizes,
        runs,
        warmupRuns,
        clock,
      });
      reports.push(report);
      sections.push(
        section(report, `${variant.label}, ${clock === 'cpu' ? 'process CPU time' : 'wall clock'}`),
        '',
      );
    }
    if (variant.batchNorm && options.foldBatchNorm !== false) {
      // Export form: BN folded into conv1..conv4 (verified against the unfolded model, 1e-4 relative).
      const { model: denseFolded } = await foldBatchNorm(dense);
      const { model: prunedFolded } = await foldBatchNorm(pruned);
      const foldedModels = [
        { name: 'vgg-small dense, BN folded', model: denseFolded },
        { name: 'vgg-small 50% filters, BN folded', model: prunedFolded },
        { name: 'vgg-small 50% filters, BN kept', model: pruned },
      ];
      sections.push(
        `## VGG-small ${variant.label}, folded for deployment`,
        '',
        `BatchNorm folded into the convs by \`foldBatchNorm\` of @klevel/pruner: dense ${info(denseFolded)} vs ` +
          `pruned ${info(prunedFolded)} (the pruned model with BatchNorm kept runs alongside).`,
        '',
      );
      for (const clock of clocks) {
        const report = await benchmarkLatency(foldedModels, {
          backends: ['wasm'],
          batchSizes,
          runs,
          warmupRuns,
          clock,
        });
        reports.push(report);
        sections.push(
          section(
            report,
            `${variant.label} folded, ${clock === 'cpu' ? 'process CPU time' : 'wall clock'}`,
          ),
          '',
        );
      }
      denseFolded.dispose();
      prunedFolded.dispose();
    }
    dense.dispose();
    pruned.dispose();
  }
  const [first] = reports;
  const markdown = [
    `VGG-small (conv 32-32-64-64, dense 300; ${(first.models[0].macs / 1e6).toFixed(2)} M MACs/sample) vs the same net with 50% of ` +
      `its filters and units (${(first.models[1].macs / 1e6).toFixed(2)} M MACs/sample), pruned by \`@klevel/pruner\` ` +
      '`prune(dense, { keep: { conv1: 16, conv2: 16, conv3: 32, conv4: 32, fc1: 150 }, check: false })`. ' +
      `wasm (SIMD, 1 thread), ${warmupRuns} warm-up and ${runs} timed runs per model, interleaved; times in ms per batch.`,
    '',
    ...sections,
    'Command: `npm run bench -- latency`. The same measurement from the CLI: save both models and run ' +
      '`klevel-latency dense/model.json pruned/model.json --backend wasm --batch 1,64 --runs 40 [--clock cpu]`.',
  ].join('\n');
  return { title: 'Latency: VGG-small dense vs 50%-filters pruned (wasm)', markdown, reports };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { markdown } = await run();
  console.log(markdown);
}
