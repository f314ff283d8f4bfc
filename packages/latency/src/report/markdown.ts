/** The Markdown rendering of a latency report (for docs and PR descriptions). */
import type { LatencyReport } from '../types';
import {
  formatBytes,
  formatCount,
  formatEfficiency,
  formatMs,
  formatRatio,
  formatThroughput,
} from './format';

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

/**
 * Renders `report` as Markdown: the environment and settings, one table row per model x batch x backend
 * (median, p10-p90, mean ± std, min-max, throughput, params, MACs, memory, speedup, MAC ratio, efficiency), and
 * notes for noisy cells and models whose MACs could not be counted.
 *
 * @example
 * writeFileSync('latency.md', toMarkdown(report));
 */
export function toMarkdown(
  report: LatencyReport,
  options: { title?: string; command?: string } = {},
): string {
  const { environment: env, settings } = report;
  const lines: string[] = [];
  lines.push(`# ${options.title ?? 'Inference latency'}`, '');
  if (options.command) lines.push('```sh', options.command, '```', '');
  lines.push(
    `${report.date} · Node ${env.node} · ${env.platform}/${env.arch} · ${env.cpus} CPU (${env.cpuModel}) · tfjs ${env.tfjs} · load average ${env.loadAverage.start.toFixed(
      1,
    )} → ${env.loadAverage.end.toFixed(1)}`,
    '',
    `Warm-up ${settings.warmupRuns} runs; ${
      settings.runs !== null ? `${settings.runs} timed runs` : `a ${settings.timeBudgetMs} ms time budget`
    } per model, interleaved run by run. Times in ms per batch (${
      settings.clock === 'cpu' ? 'process CPU time' : 'wall clock'
    }); speedup (of medians), paired speedup (median of per-round ratios), MAC ratio and efficiency (= speedup / MAC ratio) against \`${report.models[0]?.name}\`.`,
    '',
    '| backend | batch | model | median | p10 | p90 | mean ± std | min–max | samples/s | params | MACs/sample | peak mem | speedup | paired speedup | MAC ratio | efficiency |',
    '|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  );
  for (const r of report.results) {
    lines.push(
      `| ${cell(r.backend)} | ${r.batchSize} | ${cell(r.model)}${r.noisy ? ' ⚠' : ''} | ${formatMs(r.median)} | ${formatMs(r.p10)} | ${formatMs(
        r.p90,
      )} | ${formatMs(r.mean)} ± ${formatMs(r.std)} | ${formatMs(r.min)}–${formatMs(r.max)} | ${formatThroughput(
        r.throughput,
      )} | ${formatCount(r.params)} | ${formatCount(r.macs)} | ${formatBytes(r.memory.peakBytes)} | ${formatRatio(
        r.speedup,
      )} | ${formatRatio(r.pairedSpeedup)} | ${formatRatio(r.macRatio)} | ${formatEfficiency(r.efficiency)} |`,
    );
  }
  const noisy = report.results.filter((r) => r.noisy);
  if (noisy.length > 0) {
    lines.push(
      '',
      `⚠ noisy: ${noisy.length} result(s) have a min–max spread above ${settings.noiseThreshold} × median (${noisy
        .map((r) => `${r.model} b${r.batchSize} ${r.backend}: ${(r.spread * 100).toFixed(0)}%`)
        .join('; ')}); trust their medians less, or re-run with more runs on a quiet machine.`,
    );
  }
  for (const m of report.models) {
    if (m.macs === null)
      lines.push('', `MACs of \`${m.name}\` could not be counted: ${m.macsError ?? 'unknown reason'}.`);
  }
  lines.push('');
  return lines.join('\n');
}
