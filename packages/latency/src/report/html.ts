/** The self-contained HTML rendering of a latency report: inline SVG charts, a table, no scripts, no network. */
import type { LatencyReport } from '../types';
import {
  formatBytes,
  formatCount,
  formatEfficiency,
  formatMs,
  formatRatio,
  formatThroughput,
} from './format';
import { latencyPerBatchChart, latencyVsMacsChart, speedupVsIdealChart } from './svg';
import { esc } from './svg-kit';

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px auto;max-width:1100px;color:#222;padding:0 16px}
h1{font-size:22px}h2{font-size:17px;margin-top:28px}
table{border-collapse:collapse;font-variant-numeric:tabular-nums;font-size:13px}
th,td{border-bottom:1px solid #ddd;padding:4px 8px;text-align:right}th{background:#f4f4f4}
td.l,th.l{text-align:left}tr.noisy td{background:#fff6e0}
.charts{display:flex;flex-wrap:wrap;gap:16px}
svg text{font-size:11px;fill:#333}svg .title{font-size:13px;font-weight:600}svg .axis-label{font-size:12px}
svg .grid{stroke:#e6e6e6}svg .axis{stroke:#888}svg .baseline{stroke:#999;stroke-dasharray:2 2}
svg .point-label{font-size:10px;fill:#555}
.meta{color:#555}pre{background:#f7f7f7;padding:8px;overflow:auto;max-height:400px;font-size:12px}
`;

/**
 * Renders `report` as one self-contained HTML page: environment and settings, three inline-SVG charts
 * (latency per batch size, latency vs MACs, speedup vs ideal), the full results table, noise notes and the raw
 * JSON. It loads nothing from the network and runs no JavaScript.
 *
 * @example
 * writeFileSync('latency.html', toHtml(report, { command: 'klevel-latency a/model.json b/model.json' }));
 */
export function toHtml(report: LatencyReport, options: { title?: string; command?: string } = {}): string {
  const title = options.title ?? 'Inference latency';
  const { environment: env, settings } = report;
  const rows = report.results
    .map(
      (r) =>
        `<tr${r.noisy ? ' class="noisy"' : ''}><td class="l">${esc(r.backend)}</td><td>${r.batchSize}</td><td class="l">${esc(
          r.model,
        )}${r.noisy ? ' ⚠' : ''}</td><td>${formatMs(r.median)}</td><td>${formatMs(r.p10)}</td><td>${formatMs(
          r.p90,
        )}</td><td>${formatMs(r.mean)} ± ${formatMs(r.std)}</td><td>${formatMs(r.min)}–${formatMs(r.max)}</td><td>${formatThroughput(
          r.throughput,
        )}</td><td>${formatCount(r.params)}</td><td>${formatCount(r.macs)}</td><td>${formatBytes(
          r.memory.peakBytes,
        )}</td><td>${formatRatio(r.speedup)}</td><td>${formatRatio(r.pairedSpeedup)}</td><td>${formatRatio(r.macRatio)}</td><td>${formatEfficiency(r.efficiency)}</td></tr>`,
    )
    .join('\n');
  const noisy = report.results.filter((r) => r.noisy);
  const notes = [
    noisy.length > 0
      ? `<p>⚠ ${noisy.length} result(s) are noisy: min–max spread above ${settings.noiseThreshold} × median. Trust their medians less.</p>`
      : '',
    ...report.models
      .filter((m) => m.macs === null)
      .map(
        (m) =>
          `<p>MACs of <code>${esc(m.name)}</code> could not be counted: ${esc(m.macsError ?? 'unknown')}</p>`,
      ),
  ].join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)}</title><style>${STYLE}</style></head><body>
<h1>${esc(title)}</h1>
${options.command ? `<pre>${esc(options.command)}</pre>` : ''}
<p class="meta">${esc(report.date)} · Node ${esc(env.node)} · ${esc(env.platform)}/${esc(env.arch)} · ${env.cpus} CPU (${esc(
    env.cpuModel,
  )}) · tfjs ${esc(env.tfjs)} · load average ${env.loadAverage.start.toFixed(1)} → ${env.loadAverage.end.toFixed(
    1,
  )}<br>Backends ${esc(settings.backends.join(', '))} · batch sizes ${settings.batchSizes.join(
    ', ',
  )} · warm-up ${settings.warmupRuns} · ${
    settings.runs !== null ? `${settings.runs} timed runs` : `${settings.timeBudgetMs} ms budget`
  } per model, interleaved · ${settings.clock === 'cpu' ? 'process CPU time' : 'wall clock'} · baseline <code>${esc(report.models[0]?.name ?? '')}</code></p>
<h2>Charts</h2>
<div class="charts">
${latencyPerBatchChart(report)}
${latencyVsMacsChart(report)}
${speedupVsIdealChart(report)}
</div>
<h2>Results</h2>
<table><thead><tr><th class="l">backend</th><th>batch</th><th class="l">model</th><th>median ms</th><th>p10</th><th>p90</th><th>mean ± std</th><th>min–max</th><th>samples/s</th><th>params</th><th>MACs/sample</th><th>peak mem</th><th>speedup</th><th>paired speedup</th><th>MAC ratio</th><th>efficiency</th></tr></thead>
<tbody>
${rows}
</tbody></table>
${notes}
<h2>Raw data</h2>
<details><summary>JSON</summary><pre>${esc(JSON.stringify(report, null, 2))}</pre></details>
</body></html>
`;
}
